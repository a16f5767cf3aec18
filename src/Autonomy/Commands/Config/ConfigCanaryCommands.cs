using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Console;
using Spectre.Console;

namespace Autonomy.Commands.Config;

/// <summary>
/// Canary releases from the command line: <c>config set … --canary web-2</c> (or <c>--canary 25%</c>)
/// starts one; <c>config canary list|promote|abandon</c> follows it through.
/// </summary>
internal static class ConfigCanaryCommands
{
    public static readonly Option<string?> Canary = new("--canary")
    {
        Description = "Only these replicas see the change first: ids (web-2,web-3) or a percentage (25%); then promote or abandon it",
    };

    public static readonly Option<bool> AutoRollback = new("--auto-rollback")
    {
        Description = "With --canary: roll the change back by itself if a canary replica fails within the window",
    };

    public static readonly Option<string> Window = new("--window")
    {
        Description = "With --auto-rollback: how long to watch the canary replicas",
        DefaultValueFactory = _ => "60s",
    };

    /// <summary>Starts a canary of one set; prints its id and replicas.</summary>
    public static async Task<int> StartAsync(HttpClient client, ParseResult parse, string ns, string key, string value, string contentType, CancellationToken ct)
    {
        var target = parse.GetValue(Canary)!;
        var percent = target.EndsWith('%') && int.TryParse(target[..^1], System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : (int?)null;
        var body = new
        {
            operations = new[] { new { op = "set", key, value, contentType } },
            replicas = percent is null ? target.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
            percent,
            autoRollback = parse.GetValue(AutoRollback),
            window = parse.GetValue(Window),
        };
        using var response = await client.PostAsJsonAsync($"/v1/config/{Uri.EscapeDataString(ns)}/canary", body, ct);
        if (!response.IsSuccessStatusCode)
        {
            return await ProjectContext.FailAsync(response);
        }
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var canary = json.RootElement;
        var replicas = string.Join(", ", canary.GetProperty("replicas").EnumerateArray().Select(r => r.GetString()));
        await System.Console.Out.WriteLineAsync($"canary {canary.GetProperty("id").GetString()} started for {replicas}"
            + (canary.GetProperty("autoRollback").GetBoolean() ? $", rolled back by itself if one fails within {canary.GetProperty("windowSeconds")} s" : ""));
        await System.Console.Out.WriteLineAsync($"then: autonomy config canary promote {ns} {canary.GetProperty("id").GetString()}   (or abandon)");
        return 0;
    }

    public static Command Create()
    {
        var command = new Command("canary", "List, promote or abandon canary releases (start one with config set --canary)");
        var listNs = ConfigCommand.Namespace();
        var list = new Command("list", "The namespace's canaries, newest first, with what became of them") { listNs, ConfigCommand.Format };
        list.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            return await ConfigCommand.ShowAsync(client, $"/v1/config/{Uri.EscapeDataString(parse.GetValue(listNs)!)}/canary", parse, root =>
            {
                var table = new Table().Border(TableBorder.None).AddColumns("ID", "STATE", "REPLICAS", "KEYS", "WHY");
                foreach (var c in root.EnumerateArray())
                {
                    table.AddRow(Markup.Escape(c.GetProperty("id").GetString()!), Markup.Escape(c.GetProperty("state").GetString()!),
                        Markup.Escape(string.Join(",", c.GetProperty("replicas").EnumerateArray().Select(r => r.GetString()))),
                        Markup.Escape(string.Join(",", c.GetProperty("operations").EnumerateArray().Select(o => o.GetProperty("key").GetString()))),
                        Markup.Escape(c.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : ""));
                }
                AnsiConsole.Write(table);
            }, ct);
        }));
        command.Subcommands.Add(list);
        command.Subcommands.Add(Action("promote", "Commit the canary's change for every replica"));
        command.Subcommands.Add(Action("abandon", "Drop the canary's change; its replicas go back to the committed values"));
        return command;
    }

    private static Command Action(string verb, string description)
    {
        var ns = ConfigCommand.Namespace();
        var id = new Argument<string>("ID") { Description = "The canary's id (config canary list shows them)" };
        var command = new Command(verb, description) { ns, id };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.PostAsync($"/v1/config/{Uri.EscapeDataString(parse.GetValue(ns)!)}/canary/{Uri.EscapeDataString(parse.GetValue(id)!)}/{verb}", null, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var c = json.RootElement;
            await System.Console.Out.WriteLineAsync(verb == "promote"
                ? $"canary {c.GetProperty("id").GetString()} promoted (revision {c.GetProperty("revision")})"
                : $"canary {c.GetProperty("id").GetString()} abandoned");
            return 0;
        }));
        return command;
    }
}
