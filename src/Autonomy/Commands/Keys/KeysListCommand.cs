using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Autonomy.Commands.Config;
using Autonomy.Commands.Governance;
using Autonomy.Console;
using Spectre.Console;

namespace Autonomy.Commands.Keys;

/// <summary><c>autonomy keys list</c>: every key with its routes, quota and use this period (never the key itself).</summary>
internal static class KeysListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the API keys with their routes, quota and use this period (never the keys themselves)") { ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, client => ConfigCommand.ShowAsync(client, "/v1/keys", parse, root =>
        {
            var table = new Table().Border(TableBorder.None).AddColumns("ID", "NAME", "ROUTES", "QUOTA", "USED", "RESETS", "CREATED", "STATUS");
            foreach (var k in root.EnumerateArray())
            {
                var quota = k.GetProperty("quota").GetString();
                table.AddRow(Text(k, "id"), Text(k, "name"), Markup.Escape(string.Join(", ", k.GetProperty("routes").EnumerateArray().Select(r => r.GetString()))),
                    quota is null ? "none" : Markup.Escape(quota),
                    k.GetProperty("used").ValueKind == JsonValueKind.Null ? "" : k.GetProperty("used").GetInt64().ToString(CultureInfo.InvariantCulture),
                    TokensCommand.Time(k.GetProperty("resets")), TokensCommand.Time(k.GetProperty("created")), Text(k, "status"));
            }
            TableOutput.Write(table);
        }, ct)));
        return command;
    }

    private static string Text(JsonElement item, string property) =>
        item.GetProperty(property).GetString() is { } text ? Markup.Escape(text) : "";
}
