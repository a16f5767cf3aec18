using System.CommandLine;
using System.Net.Http.Json;
using Autonomy.Console;
using Spectre.Console;

namespace Autonomy.Commands.Config;

/// <summary><c>config history</c>, <c>config rollback</c> and <c>config diff</c>.</summary>
internal static class ConfigHistoryCommands
{
    public static Command History()
    {
        var ns = ConfigCommand.Namespace();
        var key = new Argument<string?>("KEY") { Description = "One key's versions (without it: the namespace's changes)", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit") { Description = "How many, newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("history", "Show who changed what, when, newest first") { ns, key, limit, ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var path = $"/v1/config/{Uri.EscapeDataString(parse.GetValue(ns)!)}/history?limit={parse.GetValue(limit)}"
                + (parse.GetValue(key) is { } k ? $"&key={Uri.EscapeDataString(k)}" : "");
            return await ConfigCommand.ShowAsync(client, path, parse, root =>
            {
                var table = new Table().Border(TableBorder.None).AddColumns("REVISION", "TIME", "AUTHOR", "KEY", "VALUE");
                foreach (var change in root.EnumerateArray())
                {
                    var value = change.GetProperty("deleted").GetBoolean() ? "[grey](deleted)[/]" : Markup.Escape(ConfigReadCommands.Shorten(change.GetProperty("value").GetString()!));
                    table.AddRow(change.GetProperty("revision").ToString(), change.GetProperty("time").GetDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                        Markup.Escape(change.GetProperty("author").GetString()!), Markup.Escape(change.GetProperty("key").GetString()!), value);
                }
                AnsiConsole.Write(table);
            }, ct);
        }));
        return command;
    }

    public static Command Rollback()
    {
        var ns = ConfigCommand.Namespace();
        var revision = new Argument<long>("REVISION") { Description = "Set things back to how they were just after this revision" };
        var key = new Argument<string?>("KEY") { Description = "Only this key (without it: the whole namespace, as one change)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("rollback", "Set a namespace or a key back to a revision (itself a new revision; nothing is erased)") { ns, revision, key };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.PostAsJsonAsync($"/v1/config/{Uri.EscapeDataString(parse.GetValue(ns)!)}/rollback",
                new { revision = parse.GetValue(revision), key = parse.GetValue(key) }, ct);
            return await ConfigWriteCommands.PrintRevisionAsync(response, ct);
        }));
        return command;
    }

    public static Command Diff()
    {
        var ns = ConfigCommand.Namespace();
        var from = new Argument<long>("FROM") { Description = "The earlier revision" };
        var to = new Argument<long?>("TO") { Description = "The later revision (default: now)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("diff", "Show what changed in a namespace between two revisions") { ns, from, to, ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var path = $"/v1/config/{Uri.EscapeDataString(parse.GetValue(ns)!)}/diff?from={parse.GetValue(from)}" + (parse.GetValue(to) is { } t ? $"&to={t}" : "");
            return await ConfigCommand.ShowAsync(client, path, parse, root =>
            {
                foreach (var d in root.EnumerateArray())
                {
                    var name = d.GetProperty("key").GetString();
                    var before = d.GetProperty("before").GetString();
                    var after = d.GetProperty("after").GetString();
                    if (before is not null)
                    {
                        System.Console.Out.WriteLine($"- {name} = {before}");
                    }
                    if (after is not null)
                    {
                        System.Console.Out.WriteLine($"+ {name} = {after}");
                    }
                }
            }, ct);
        }));
        return command;
    }
}
