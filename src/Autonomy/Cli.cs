using System.CommandLine;
using Autonomy.Commands;

namespace Autonomy;

/// <summary>The command line: docker compose's verbs and options over the platform library.</summary>
internal static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Autonomy: run a compose file's services natively, each with its own database, queue, config and secrets.");
        ProjectOptions.AddTo(root);
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(UpCommand.Create());
        root.Subcommands.Add(DownCommand.Create());
        root.Subcommands.Add(PsCommand.Create());
        root.Subcommands.Add(TopCommand.Create());
        root.Subcommands.Add(LogsCommand.Create());
        root.Subcommands.Add(RestartCommand.Create());
        root.Subcommands.Add(ScaleCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(Commands.Config.ConfigCommand.Create());
        root.Subcommands.Add(Commands.Secrets.SecretsCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(Commands.Db.DbCommand.Create());
        root.Subcommands.Add(Commands.Governance.TokensCommand.Create());
        root.Subcommands.Add(Commands.Governance.AuditCommand.Create());
        root.Subcommands.Add(Commands.Keys.KeysCommand.Create());
        root.Subcommands.Add(Commands.Messaging.MqCommand.Create());
        root.Subcommands.Add(RegistryCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // Before any socket is used: the server's gateway and API run their socket work inline (see the type).
        Server.Hosting.InlineSocketCompletions.Enable();
        try
        {
            // Without a verb, the overview of them (as docker compose does), not an error.
            var parse = Build().Parse(args.Length == 0 ? ["--help"] : args);
            // A group without its verb (autonomy config) shows what it offers, as a bare autonomy does.
            if (parse.Errors.Count > 0 && parse.Errors.All(e => e.Message == "Required command was not provided."))
            {
                return await Build().Parse([.. args, "--help"]).InvokeAsync();
            }
            if (parse.Errors.Count > 0)
            {
                return await UsageErrorAsync(parse);
            }
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("AUTONOMY_DEBUG") is null)
        {
            // Users get one clear paragraph; AUTONOMY_DEBUG=1 lets the stack trace through for a bug report.
            await System.Console.Error.WriteLineAsync($"autonomy: {e.Message}\n(this is a bug in autonomy; run again with AUTONOMY_DEBUG=1 for details and report it)");
            return 70;
        }
    }

    /// <summary>A mistyped verb, flag or value: what is wrong and where help is, not the whole help text.</summary>
    private static async Task<int> UsageErrorAsync(ParseResult parse)
    {
        // "autonomy bogus" is one mistake, not also a missing verb.
        var errors = parse.Errors.Count > 1 ? parse.Errors.Where(e => e.Message != "Required command was not provided.") : parse.Errors;
        foreach (var error in errors)
        {
            await System.Console.Error.WriteLineAsync($"error: {error.Message}");
        }
        var path = new List<string>();
        for (var symbol = parse.CommandResult; symbol is not null; symbol = symbol.Parent as System.CommandLine.Parsing.CommandResult)
        {
            path.Insert(0, symbol.Command is RootCommand ? "autonomy" : symbol.Command.Name);
        }
        await System.Console.Error.WriteLineAsync($"see '{string.Join(' ', path)} --help'");
        return 2;
    }
}
