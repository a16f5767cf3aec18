using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;

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
            var rows = new List<string[]> { new[] { "SERVICE", "REPLICA", "STATE", "HEALTH", "PID", "PORT", "RESTARTS", "UPTIME" } };
            var notes = new List<string>();
            var databases = new List<(string Service, JsonElement Health)>();
            using var services = JsonDocument.Parse(json);
            foreach (var service in services.RootElement.EnumerateArray())
            {
                if (service.TryGetProperty("runs", out var runs))
                {
                    notes.Add($"{service.GetProperty("name").GetString()}: {runs.GetString()}, on 127.0.0.1:{service.GetProperty("port").GetInt32()}");
                }
                if (service.TryGetProperty("database", out var database))
                {
                    databases.Add((service.GetProperty("name").GetString()!, database));
                }
                foreach (var r in service.GetProperty("replicas").EnumerateArray())
                {
                    rows.Add(
                    [
                        service.GetProperty("name").GetString()!,
                        r.GetProperty("id").GetString()!,
                        r.GetProperty("state").GetString()!,
                        r.GetProperty("health").GetString()!,
                        r.GetProperty("pid").ValueKind == JsonValueKind.Number ? r.GetProperty("pid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
                        r.GetProperty("port").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                        r.GetProperty("restarts").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                        r.GetProperty("uptime").ValueKind == JsonValueKind.Number ? $"{r.GetProperty("uptime").GetDouble():0}s" : "-",
                    ]);
                }
            }
            // Plain aligned columns, as docker compose prints them: readable in a terminal and by scripts alike.
            var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
            {
                await System.Console.Out.WriteLineAsync(string.Join("   ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            }
            using (var status = await client.GetAsync("/v1/status", ct))
            {
                using var body = JsonDocument.Parse(await status.Content.ReadAsStringAsync(ct));
                if (status.IsSuccessStatusCode && body.RootElement.TryGetProperty("gateway_port", out var gatewayPort) && gatewayPort.GetInt32() > 0)
                {
                    notes.Add($"gateway: routes on {body.RootElement.GetProperty("gateway_address").GetString()}:{gatewayPort.GetInt32()}");
                    if (body.RootElement.TryGetProperty("gateway_note", out var note) && note.ValueKind == JsonValueKind.String)
                    {
                        notes.Add($"gateway: {note.GetString()}");
                    }
                }
            }
            // The dashboard is served by the server itself, on the API's own loopback port.
            notes.Add($"dashboard: {client.BaseAddress}");
            foreach (var note in notes.Concat(DatabaseNodes.Lines(databases)))
            {
                await System.Console.Out.WriteLineAsync(note);
            }
            return 0;
        });
        return command;
    }
}
