using System.CommandLine;
using Spectre.Console;

namespace Autonomy.Commands.Secrets;

/// <summary><c>secrets history NAME</c> and <c>secrets rollback NAME --to VERSION</c> (a rollback is a new version; nothing is erased).</summary>
internal static class SecretsHistoryCommands
{
    public static Command History()
    {
        var name = SecretsCommand.Name();
        var command = new Command("history", "Show a secret's versions, newest first: when, by whom, under which master key") { name, SecretsCommand.Format };
        command.SetAction((parse, ct) => SecretsCommand.RunAsync(parse, async (secrets, _) =>
        {
            var versions = await secrets.HistoryAsync(parse.GetValue(name)!, ct);
            if (parse.GetValue(SecretsCommand.Format) == "json")
            {
                await SecretsCommand.PrintJsonAsync(versions);
                return 0;
            }
            var table = new Table().Border(TableBorder.None).AddColumns("VERSION", "TIME", "AUTHOR", "KEY", "");
            foreach (var version in versions)
            {
                table.AddRow(version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), SecretsCommand.When(version.Time),
                    Markup.Escape(version.Author), version.KeyFingerprint, version.RestoredFrom is { } from ? $"rollback to version {from}" : "");
            }
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    public static Command Rollback()
    {
        var name = SecretsCommand.Name();
        var to = new Option<long>("--to") { Description = "The version whose value the secret takes again", Required = true };
        var command = new Command("rollback", "Give a secret an earlier version's value again, as a new version") { name, to };
        command.SetAction((parse, ct) => SecretsCommand.RunAsync(parse, async (secrets, _) =>
        {
            var write = await secrets.RollbackAsync(parse.GetValue(name)!, parse.GetValue(to), ct);
            await System.Console.Out.WriteLineAsync(write.Changed
                ? $"{write.Name}: version {write.Version} (the value of version {parse.GetValue(to)})"
                : $"{write.Name}: unchanged at version {write.Version} (it already has the value of version {parse.GetValue(to)})");
            return 0;
        }));
        return command;
    }
}
