using System.CommandLine;
using Autonomy.Console;

namespace Autonomy.Commands;

/// <summary><c>autonomy restart SERVICE</c>: replaces each replica in turn, each ready before the next.</summary>
internal static class RestartCommand
{
    public static Command Create()
    {
        var service = new Argument<string>("SERVICE") { Description = "The service to restart" };
        var command = new Command("restart", "Restart a service, one replica at a time") { service };
        command.SetAction(async (parse, ct) =>
        {
            if (ProjectContext.Load(parse) is not { } context)
            {
                return 1;
            }
            using var client = context.Client();
            if (client is null)
            {
                return 1;
            }
            var name = parse.GetValue(service)!;
            using var response = await client.PostAsync($"/v1/services/{Uri.EscapeDataString(name)}/restart", null, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            await System.Console.Out.WriteLineAsync($"restarted {name}");
            return 0;
        });
        return command;
    }
}
