using System.CommandLine;
using Autonomy.Console;
using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Compose.Output;

namespace Autonomy.Commands;

/// <summary>
/// <c>autonomy convert</c>: docker compose's <c>config</c> verb (here <c>config</c> is the config
/// center). Prints the fully resolved model, or with <c>--quiet</c> only validates it.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format")
        {
            Description = "Output format: yaml or json",
            DefaultValueFactory = _ => "yaml",
        };
        format.AcceptOnlyFromAmong("yaml", "json");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only validate the files; print nothing but errors" };
        var services = new Option<bool>("--services") { Description = "Print the service names, one per line" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the model to this file instead of standard output" };

        var command = new Command("convert", "Resolve the compose files into the canonical model and print it (docker compose config)")
        {
            format, quiet, services, output,
        };
        command.SetAction(parse =>
        {
            try
            {
                var project = ComposeLoader.Load(ProjectOptions.LoadOptions(parse));
                DiagnosticPrinter.Print(project.Warnings);
                foreach (var note in Server.Runtime.Planning.NativeNotes.For(project))
                {
                    System.Console.Error.WriteLine($"note: {note}");
                }
                if (parse.GetValue(quiet))
                {
                    return 0;
                }
                var text = parse.GetValue(services)
                    ? string.Concat(project.Services.Select(s => s.Name + "\n"))
                    : parse.GetValue(format) == "json" ? ComposeWriter.ToJson(project) + "\n" : ComposeWriter.ToYaml(project);
                if (parse.GetValue(output) is { } file)
                {
                    File.WriteAllText(file, text);
                }
                else
                {
                    System.Console.Out.Write(text);
                }
                return 0;
            }
            catch (ComposeException e)
            {
                DiagnosticPrinter.PrintFailure(e);
                return 1;
            }
        });
        return command;
    }
}
