using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Commands.Config;
using Autonomy.Console;
using Spectre.Console;

namespace Autonomy.Commands.Governance;

/// <summary>
/// <c>autonomy tokens create|list|revoke</c>: tokens for people and tools, each with a role
/// (admin, read-only, service:NAME). The server keeps only a hash: a token is printed once, when it is made.
/// </summary>
internal static class TokensCommand
{
    public static Command Create() => new("tokens", "Make, list and revoke the running project's API tokens")
    {
        Make(),
        List(),
        Revoke(),
    };

    private static Command Make()
    {
        var role = new Option<string>("--role") { Description = "admin, read-only, service:NAME (what that service's replicas may do), or external:NAME (an instance of NAME outside Autonomy: registers itself in the registry, reads it)", Required = true };
        var ttl = new Option<string?>("--ttl") { Description = "How long it lives: 30m, 12h, 7d… or never (default: 30d)" };
        var name = new Option<string?>("--name") { Description = "What it is for, shown in 'tokens list'" };
        var command = new Command("create", "Make a token; it is printed on standard output, this once only") { role, ttl, name, ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.PostAsJsonAsync("/v1/tokens", new { role = parse.GetValue(role), ttl = parse.GetValue(ttl), name = parse.GetValue(name) }, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            if (parse.GetValue(ConfigCommand.Format) == "json")
            {
                await System.Console.Out.WriteLineAsync(body);
                return 0;
            }
            using var json = JsonDocument.Parse(body);
            var created = json.RootElement;
            // The token alone on standard output, so that TOKEN=$(autonomy tokens create …) works; the rest for the person.
            await System.Console.Out.WriteLineAsync(created.GetProperty("token").GetString());
            var expires = created.GetProperty("expires").ValueKind == JsonValueKind.Null ? "never expires" : $"expires {Time(created.GetProperty("expires"))}";
            await System.Console.Error.WriteLineAsync(
                $"created token {created.GetProperty("id").GetString()} (role {created.GetProperty("role").GetString()}, {expires}); it is shown only this once");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the tokens: made ones, the admin-token file's and each running replica's (never the tokens themselves)") { ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, client => ConfigCommand.ShowAsync(client, "/v1/tokens", parse, root =>
        {
            var table = new Table().Border(TableBorder.None).AddColumns("ID", "KIND", "ROLE", "NAME", "CREATED", "EXPIRES", "LAST USED", "STATUS");
            foreach (var t in root.EnumerateArray())
            {
                table.AddRow(Text(t, "id"), Text(t, "kind"), Text(t, "role"), Text(t, "name"), Time(t.GetProperty("created")),
                    Text(t, "kind") == "replica" ? "with its replica" : t.GetProperty("expires").ValueKind == JsonValueKind.Null ? "never" : Time(t.GetProperty("expires")),
                    Time(t.GetProperty("lastUsed")), Text(t, "status"));
            }
            TableOutput.Write(table);
        }, ct)));
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("ID") { Description = "The token's id (tok_…), as 'tokens list' shows it" };
        var command = new Command("revoke", "Revoke a made token: every call with it is refused from now on") { id };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.DeleteAsync($"/v1/tokens/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            await System.Console.Out.WriteLineAsync($"revoked {parse.GetValue(id)}");
            return 0;
        }));
        return command;
    }

    private static string Text(JsonElement item, string property) =>
        item.GetProperty(property).GetString() is { } text ? Markup.Escape(text) : "";

    /// <summary>A time from the API in local time, to the second; empty when there is none.</summary>
    public static string Time(JsonElement time) => time.ValueKind == JsonValueKind.Null
        ? ""
        : time.GetDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
