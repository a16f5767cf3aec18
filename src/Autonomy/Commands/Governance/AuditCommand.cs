using System.CommandLine;
using System.Text.Json;
using Autonomy.Commands.Config;
using Autonomy.Console;
using Spectre.Console;

namespace Autonomy.Commands.Governance;

/// <summary>
/// <c>autonomy audit [--verify] [--since T]</c>: the audit log of every write and every refused call;
/// <c>--verify</c> walks its hash chain and fails (exit code 1) naming the first entry edited, removed or moved.
/// </summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var verify = new Option<bool>("--verify") { Description = "Check the whole log's hash chain; exit code 1 names the first broken entry" };
        var since = new Option<string?>("--since") { Description = "Only entries from this time on: RFC 3339 (2025-01-31T08:00:00Z) or a duration back from now (30m, 1h, 7d)" };
        var limit = new Option<int>("--limit") { Description = "At most this many entries, the newest", DefaultValueFactory = _ => 1000 };
        var command = new Command("audit", "Show the audit log: every change made through the API and every refused call") { verify, since, limit, ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var path = $"/v1/audit?limit={parse.GetValue(limit)}"
                + (parse.GetValue(since) is { } s ? $"&since={Uri.EscapeDataString(s)}" : "")
                + (parse.GetValue(verify) ? "&verify=true" : "");
            using var response = await client.GetAsync(path, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            using var json = JsonDocument.Parse(body);
            var verification = json.RootElement.GetProperty("verification");
            var intact = verification.ValueKind == JsonValueKind.Null || verification.GetProperty("intact").GetBoolean();
            if (parse.GetValue(ConfigCommand.Format) == "json")
            {
                await System.Console.Out.WriteLineAsync(body);
                return intact ? 0 : 1;
            }
            if (!parse.GetValue(verify) || parse.GetValue(since) is not null)
            {
                ShowEntries(json.RootElement.GetProperty("entries"));
            }
            if (verification.ValueKind == JsonValueKind.Null)
            {
                return 0;
            }
            var head = verification.GetProperty("head");
            if (intact)
            {
                await System.Console.Out.WriteLineAsync(
                    $"the audit log is intact: {verification.GetProperty("checked")} entries, the newest {head.GetProperty("seq")} with hash {head.GetProperty("hash").GetString()}");
                return 0;
            }
            await System.Console.Error.WriteLineAsync(
                $"error: the audit log is broken at entry {verification.GetProperty("brokenAt")} ({verification.GetProperty("problem").GetString()}): {verification.GetProperty("detail").GetString()}");
            return 1;
        }));
        return command;
    }

    private static void ShowEntries(JsonElement entries)
    {
        var table = new Table().Border(TableBorder.None).AddColumns("SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME");
        foreach (var e in entries.EnumerateArray())
        {
            table.AddRow(e.GetProperty("seq").ToString(), TokensCommand.Time(e.GetProperty("time")), Markup.Escape(e.GetProperty("actor").GetString()!),
                Markup.Escape(e.GetProperty("action").GetString()!), Markup.Escape(e.GetProperty("target").GetString()!), Markup.Escape(e.GetProperty("outcome").GetString()!));
        }
        TableOutput.Write(table);
    }
}
