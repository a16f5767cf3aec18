using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;

namespace Autonomy.Commands;

/// <summary><c>autonomy logs</c>: the services' output, prefixed by replica; <c>--follow</c> keeps streaming (<c>-f</c> is the file).</summary>
internal static class LogsCommand
{
    private static readonly string[] Colours = ["\u001b[36m", "\u001b[33m", "\u001b[32m", "\u001b[35m", "\u001b[34m", "\u001b[91m"];

    public static Command Create()
    {
        var services = new Argument<string[]>("SERVICE") { Arity = ArgumentArity.ZeroOrMore, Description = "Only these services" };
        var follow = new Option<bool>("--follow") { Description = "Keep printing new lines" };
        var tail = new Option<string>("--tail") { Description = "How many earlier lines to print: a number, or all (what the log files still hold)", DefaultValueFactory = _ => "all" };
        tail.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value != "all" && !uint.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                result.AddError($"--tail is '{value}'; give a whole number of lines (0 or more) or 'all'");
            }
        });
        var command = new Command("logs", "Print the services' logs") { services, follow, tail };
        command.SetAction(async (parse, ct) =>
        {
            if (ProjectContext.Load(parse) is not { } context)
            {
                return 1;
            }
            using var client = context.Client();
            if (client is null)
            {
                return 1;
            }
            var wanted = parse.GetValue(services) ?? [];
            var query = $"/v1/logs?tail={parse.GetValue(tail)}&follow={(parse.GetValue(follow) ? "true" : "false")}" + string.Concat(wanted.Select(w => $"&service={Uri.EscapeDataString(w)}"));
            using var response = await client.GetAsync(query, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var colour = !System.Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
            var colours = new Dictionary<string, string>(StringComparer.Ordinal);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            try
            {
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    using var entry = JsonDocument.Parse(line);
                    var replica = entry.RootElement.GetProperty("replica").GetString()!;
                    var text = entry.RootElement.GetProperty("text").GetString();
                    var prefix = colour ? $"{colours.GetValueOrDefault(replica) ?? (colours[replica] = Colours[colours.Count % Colours.Length])}{replica} |\u001b[0m" : $"{replica} |";
                    await System.Console.Out.WriteLineAsync($"{prefix} {text}");
                }
            }
            catch (OperationCanceledException)
            {
            }
            return 0;
        });
        return command;
    }
}
