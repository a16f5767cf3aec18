using Spectre.Console;

namespace Autonomy.Console;

/// <summary>
/// Writes a table: in a terminal it fits the window; piped into a file or another program (grep,
/// awk) each row stays on one line, however wide, instead of being wrapped at 80 columns.
/// </summary>
internal static class TableOutput
{
    public static void Write(Table table)
    {
        if (!System.Console.IsOutputRedirected)
        {
            AnsiConsole.Write(table);
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Out),
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 4096;
        console.Write(table);
    }
}
