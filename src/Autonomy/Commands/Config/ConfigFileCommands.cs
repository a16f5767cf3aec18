using System.CommandLine;
using System.Text;
using System.Text.Json;
using Autonomy.Console;
using Autonomy.Server.Config.Formats;

namespace Autonomy.Commands.Config;

/// <summary><c>config import</c> and <c>config export</c>: a namespace to and from INI, JSON, YAML, .env or .properties.</summary>
internal static class ConfigFileCommands
{
    private static Option<string?> FormatOption() => new("--format") { Description = "ini, json, yaml, env or properties (default: from the file's extension)" };

    public static Command Import()
    {
        var ns = ConfigCommand.Namespace();
        var file = new Argument<string>("FILE") { Description = "The file to import; - reads standard input (then --format is needed)" };
        var format = FormatOption();
        var replace = new Option<bool>("--replace") { Description = "Delete the namespace's keys that the file does not have (in the same revision)" };
        var command = new Command("import", "Import a file into a namespace as one revision; a file with errors imports nothing") { ns, file, format, replace };
        command.SetAction((parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            var name = parse.GetValue(format) ?? (path == "-" ? null : ConfigFormats.FromFileName(path)?.ToString().ToLowerInvariant());
            if (name is null)
            {
                System.Console.Error.WriteLine($"error: cannot tell the format of '{path}' from its name; give --format ini, json, yaml, env or properties");
                return Task.FromResult(2);
            }
            if (path != "-" && !File.Exists(path))
            {
                System.Console.Error.WriteLine($"error: no file '{path}'");
                return Task.FromResult(1);
            }
            return ProjectContext.WithServerAsync(parse, async client =>
            {
                var text = path == "-" ? await System.Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct);
                var query = $"?format={Uri.EscapeDataString(name)}" + (parse.GetValue(replace) ? "&mode=replace" : "");
                using var response = await client.PostAsync($"/v1/config/{Uri.EscapeDataString(parse.GetValue(ns)!)}/import{query}", new StringContent(text, Encoding.UTF8, "text/plain"), ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                using var json = JsonDocument.Parse(body);
                if (!response.IsSuccessStatusCode)
                {
                    if (json.RootElement.TryGetProperty("errors", out var errors))
                    {
                        // As compose errors are shown: file:line:column: error: message, then the hint.
                        foreach (var error in errors.EnumerateArray())
                        {
                            await System.Console.Error.WriteLineAsync($"{path}:{error.GetProperty("line")}:{error.GetProperty("column")}: error: {error.GetProperty("message").GetString()}");
                            if (error.TryGetProperty("hint", out var hint) && hint.ValueKind == JsonValueKind.String)
                            {
                                await System.Console.Error.WriteLineAsync($"  hint: {hint.GetString()}");
                            }
                        }
                        await System.Console.Error.WriteLineAsync("nothing was imported.");
                        return 1;
                    }
                    await System.Console.Error.WriteLineAsync($"error: {json.RootElement.GetProperty("detail").GetString()}");
                    return 1;
                }
                var root = json.RootElement;
                await System.Console.Out.WriteLineAsync($"imported {root.GetProperty("set")} keys" + (root.GetProperty("deleted").GetInt32() > 0 ? $", deleted {root.GetProperty("deleted")}" : "") + $" (revision {root.GetProperty("revision")})");
                return 0;
            });
        });
        return command;
    }

    public static Command Export()
    {
        var ns = ConfigCommand.Namespace();
        var format = FormatOption();
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (its extension gives the format) instead of standard output" };
        var command = new Command("export", "Write a namespace as INI, JSON, YAML, .env or .properties") { ns, format, output };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var file = parse.GetValue(output);
            var name = parse.GetValue(format) ?? (file is null ? "json" : ConfigFormats.FromFileName(file)?.ToString().ToLowerInvariant() ?? "json");
            using var response = await client.GetAsync($"/v1/config/{Uri.EscapeDataString(parse.GetValue(ns)!)}/export?format={Uri.EscapeDataString(name)}", ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var text = await response.Content.ReadAsStringAsync(ct);
            if (file is null)
            {
                await System.Console.Out.WriteAsync(text);
            }
            else
            {
                await File.WriteAllTextAsync(file, text, ct);
            }
            return 0;
        }));
        return command;
    }
}
