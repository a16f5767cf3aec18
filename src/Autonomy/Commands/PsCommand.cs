using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;
using Spectre.Console;

namespace Autonomy.Commands;

/// <summary><c>autonomy ps</c>: every service with its state, health and replicas.</summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("ps", "List the services and their replicas") { format };
        command.SetAction(async (parse, ct) =>
        {
            if (ProjectContext.Load(parse) is not { } context)
            {
                return 1;
            }
            using var client = context.Client(quiet: parse.GetValue(format) == "json");
            if (client is null)
            {
                if (parse.GetValue(format) == "json")
                {
                    await System.Console.Out.WriteLineAsync("[]");
                    return 0;
                }
                return 1;
            }
            using var response = await client.GetAsync("/v1/services", ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var json = await response.Content.ReadAsStringAsync(ct);
            if (parse.GetValue(format) == "json")
            {
                await System.Console.Out.WriteLineAsync(json);
                return 0;
            }
            var table = new Table().AddColumns("SERVICE", "REPLICA", "STATE", "HEALTH", "PID", "PORT", "RESTARTS", "UPTIME");
            using var services = JsonDocument.Parse(json);
            foreach (var service in services.RootElement.EnumerateArray())
            {
                foreach (var r in service.GetProperty("replicas").EnumerateArray())
                {
                    table.AddRow(
                        Markup.Escape(service.GetProperty("name").GetString()!),
                        Markup.Escape(r.GetProperty("id").GetString()!),
                        Markup.Escape(r.GetProperty("state").GetString()!),
                        Markup.Escape(r.GetProperty("health").GetString()!),
                        r.GetProperty("pid").ValueKind == JsonValueKind.Number ? r.GetProperty("pid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
                        r.GetProperty("port").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                        r.GetProperty("restarts").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                        r.GetProperty("uptime").ValueKind == JsonValueKind.Number ? $"{r.GetProperty("uptime").GetDouble():0}s" : "-");
                }
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
