using System.CommandLine;
using Autonomy.Console;

namespace Autonomy.Commands.Db;

/// <summary><c>autonomy db drop SERVICE</c>: removes a database for good, after asking (or with <c>--yes</c>).</summary>
internal static class DbDropCommand
{
    public static Command Create()
    {
        var service = DbCommand.Service();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("drop", "Delete a service's database and its data (asks first)") { service, yes };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var name = parse.GetValue(service)!;
            using (var info = await client.GetAsync(DbCommand.PathOf(name), ct))
            {
                if (!info.IsSuccessStatusCode)
                {
                    return await ProjectContext.FailAsync(info);
                }
            }
            if (!parse.GetValue(yes))
            {
                await System.Console.Out.WriteAsync($"drop the database of '{name}' and all its data? this cannot be undone [y/N] ");
                var answer = await System.Console.In.ReadLineAsync(ct);
                if (answer?.Trim().ToLowerInvariant() is not ("y" or "yes"))
                {
                    await System.Console.Out.WriteLineAsync(answer is null ? "\nnot dropped (no answer; give --yes to drop without asking)" : "not dropped");
                    return 1;
                }
            }
            using var response = await client.DeleteAsync(DbCommand.PathOf(name), ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            await System.Console.Out.WriteLineAsync($"dropped the database of '{name}'");
            return 0;
        }));
        return command;
    }
}
