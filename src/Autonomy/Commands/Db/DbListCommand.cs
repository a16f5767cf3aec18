using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;

namespace Autonomy.Commands.Db;

/// <summary>
/// <c>autonomy db ls</c>: where each service's database lives (its cluster and the rule that put it there), the
/// state of its PostgreSQL nodes, and whether a service of the file still uses it.
/// </summary>
internal static class DbListCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("ls", "List the services' databases and where they live") { format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.GetAsync("/v1/databases", ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            if (parse.GetValue(format) == "json")
            {
                await System.Console.Out.WriteLineAsync(body);
                return 0;
            }
            var rows = new List<string[]> { new[] { "SERVICE", "PROVIDER", "NAME", "CLUSTER", "WHERE", "STATE", "IN USE" } };
            var health = new List<(string Service, JsonElement Health)>();
            using var list = JsonDocument.Parse(body);
            foreach (var d in list.RootElement.EnumerateArray())
            {
                var server = Text(d, "server");
                var where = d.GetProperty("provider").GetString() == "sqlite" ? d.GetProperty("location").GetString()!
                    : server is not null && !server.Contains("://", StringComparison.Ordinal) ? $"{d.GetProperty("location").GetString()} (managed by '{server}')"
                    : server!;
                var cluster = Text(d, "cluster") is { } name ? $"{name} ({Text(d, "placement")})" : "-";
                var state = "-";
                if (d.TryGetProperty("health", out var h) && h.ValueKind == JsonValueKind.Object)
                {
                    state = h.GetProperty("state").GetString()!;
                    health.Add((d.GetProperty("service").GetString()!, h));
                }
                rows.Add([d.GetProperty("service").GetString()!, d.GetProperty("provider").GetString()!, d.GetProperty("name").GetString()!, cluster, where, state,
                    d.GetProperty("inUse").GetBoolean() ? "yes" : "no (kept until 'db drop')"]);
            }
            var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
            {
                await System.Console.Out.WriteLineAsync(string.Join("   ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            }
            foreach (var line in DatabaseNodes.Lines(health))
            {
                await System.Console.Out.WriteLineAsync(line);
            }
            return 0;
        }));
        return command;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
