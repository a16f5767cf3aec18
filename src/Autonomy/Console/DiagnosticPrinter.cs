using Autonomy.Server.Compose.Diagnostics;

namespace Autonomy.Console;

/// <summary>Prints compose findings to standard error: one per line with its hint, then a count.</summary>
internal static class DiagnosticPrinter
{
    public static void Print(IEnumerable<ComposeDiagnostic> diagnostics, TextWriter? writer = null)
    {
        writer ??= System.Console.Error;
        var colour = writer == System.Console.Error && !System.Console.IsErrorRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
        var cwd = Directory.GetCurrentDirectory();
        foreach (var d in diagnostics)
        {
            var text = d.Format(cwd);
            if (colour)
            {
                var tag = d.IsError ? "\u001b[31merror\u001b[0m" : "\u001b[33mwarning\u001b[0m";
                text = text.Replace(d.IsError ? "error:" : "warning:", tag + ":", StringComparison.Ordinal);
            }
            writer.WriteLine(text);
        }
    }

    public static void PrintFailure(ComposeException failure)
    {
        Print(failure.Diagnostics);
        var errors = failure.Errors.Count();
        System.Console.Error.WriteLine(errors == 1 ? "1 error; nothing was changed." : $"{errors} errors; nothing was changed.");
    }
}
