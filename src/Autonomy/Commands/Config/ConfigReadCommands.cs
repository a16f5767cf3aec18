using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;
using Spectre.Console;

namespace Autonomy.Commands.Config;

/// <summary><c>config list</c> and <c>config get</c>.</summary>
internal static class ConfigReadCommands
{
    public static Command List()
    {
        var ns = new Argument<string?>("NAMESPACE") { Description = "List this namespace's keys (without it: the namespaces)", Arity = ArgumentArity.ZeroOrOne };
        var prefix = new Option<string?>("--prefix") { Description = "Only keys that start with this" };
        var command = new Command("list", "List the namespaces, or the keys of one") { ns, prefix, ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var name = parse.GetValue(ns);
            var path = name is null ? "/v1/config" : $"/v1/config/{Uri.EscapeDataString(name)}" + (parse.GetValue(prefix) is { } p ? $"?prefix={Uri.EscapeDataString(p)}" : "");
            return await ConfigCommand.ShowAsync(client, path, parse, root =>
            {
                var table = new Table().Border(TableBorder.None);
                if (name is null)
                {
                    table.AddColumns("NAMESPACE", "KEYS", "REVISION");
                    foreach (var n in root.EnumerateArray())
                    {
                        table.AddRow(Markup.Escape(n.GetProperty("name").GetString()!), n.GetProperty("keys").ToString(), n.GetProperty("revision").ToString());
                    }
                }
                else
                {
                    table.AddColumns("KEY", "VALUE", "REVISION", "VERSION");
                    foreach (var e in root.GetProperty("entries").EnumerateArray())
                    {
                        table.AddRow(Markup.Escape(e.GetProperty("key").GetString()!), Markup.Escape(Shorten(e.GetProperty("value").GetString()!)),
                            e.GetProperty("revision").ToString(), e.GetProperty("version").ToString());
                    }
                }
                AnsiConsole.Write(table);
            }, ct);
        }));
        return command;
    }

    public static Command Get()
    {
        var ns = ConfigCommand.Namespace();
        var key = ConfigCommand.Key();
        var command = new Command("get", "Print a key's value (exactly, for scripts; --format json for its revision and type)") { ns, key, ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.GetAsync(ConfigCommand.KeyPath(parse.GetValue(ns)!, parse.GetValue(key)!), ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            if (parse.GetValue(ConfigCommand.Format) == "json")
            {
                await System.Console.Out.WriteLineAsync(body);
            }
            else
            {
                using var json = JsonDocument.Parse(body);
                await System.Console.Out.WriteLineAsync(json.RootElement.GetProperty("value").GetString());
            }
            return 0;
        }));
        return command;
    }

    /// <summary>One line of a value for a table: long or multi-line values are cut, the full value is a `get` away.</summary>
    public static string Shorten(string value)
    {
        var line = value.ReplaceLineEndings("⏎");
        return line.Length > 60 ? line[..59] + "…" : line;
    }
}
