using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;

namespace Autonomy.Commands.Db;

/// <summary><c>autonomy db url SERVICE</c>: the service's DATABASE_URL, password included (the admin token's to read).</summary>
internal static class DbUrlCommand
{
    public static Command Create()
    {
        var service = DbCommand.Service();
        var format = new Option<string>("--format") { Description = "url (DATABASE_URL), ado (ConnectionStrings__Database) or json (both)", DefaultValueFactory = _ => "url" };
        format.AcceptOnlyFromAmong("url", "ado", "json");
        var command = new Command("url", "Print a service's DATABASE_URL (it holds the password)") { service, format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.GetAsync(DbCommand.PathOf(parse.GetValue(service)!) + "/url", ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            using var json = JsonDocument.Parse(body);
            await System.Console.Out.WriteLineAsync(parse.GetValue(format) switch
            {
                "json" => body,
                "ado" => json.RootElement.GetProperty("connectionString").GetString(),
                _ => json.RootElement.GetProperty("url").GetString(),
            });
            return 0;
        }));
        return command;
    }
}
