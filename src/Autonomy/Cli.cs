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
        root.Subcommands.Add(LogsCommand.Create());
        root.Subcommands.Add(RestartCommand.Create());
        root.Subcommands.Add(ScaleCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await Build().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("AUTONOMY_DEBUG") is null)
        {
            // Users get one clear paragraph; AUTONOMY_DEBUG=1 lets the stack trace through for a bug report.
            await System.Console.Error.WriteLineAsync($"autonomy: {e.Message}\n(this is a bug in autonomy; run again with AUTONOMY_DEBUG=1 for details and report it)");
            return 70;
        }
    }
}
