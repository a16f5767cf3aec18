using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;

namespace Autonomy.Commands.Config;

/// <summary><c>config watch NAMESPACE</c>: prints each change as it happens, until Ctrl-C.</summary>
internal static class ConfigWatchCommand
{
    public static Command Create()
    {
        var ns = ConfigCommand.Namespace();
        var after = new Option<long?>("--after") { Description = "Also print every change after this revision first" };
        var command = new Command("watch", "Print each change to a namespace as it happens (Ctrl-C to stop)") { ns, after, ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var path = $"/v1/config/{Uri.EscapeDataString(parse.GetValue(ns)!)}/watch" + (parse.GetValue(after) is { } a ? $"?after={a}" : "");
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var json = parse.GetValue(ConfigCommand.Format) == "json";
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            try
            {
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    if (!line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    if (json)
                    {
                        await System.Console.Out.WriteLineAsync(line[6..]);
                        continue;
                    }
                    using var change = JsonDocument.Parse(line[6..]);
                    var c = change.RootElement;
                    await System.Console.Out.WriteLineAsync(c.GetProperty("deleted").GetBoolean()
                        ? $"{c.GetProperty("revision")} {c.GetProperty("key").GetString()} deleted by {c.GetProperty("author").GetString()}"
                        : $"{c.GetProperty("revision")} {c.GetProperty("key").GetString()} = {c.GetProperty("value").GetString()} ({c.GetProperty("author").GetString()})");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        }));
        return command;
    }
}
