using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Autonomy.Console;

namespace Autonomy.Commands.Config;

/// <summary><c>config set</c> and <c>config delete</c>; each prints the revision it made.</summary>
internal static class ConfigWriteCommands
{
    private static readonly Option<long?> Cas = new("--cas") { Description = "Only if the key is still at this revision (0: only if it does not exist)" };

    public static Command Set()
    {
        var ns = ConfigCommand.Namespace();
        var key = ConfigCommand.Key();
        var value = new Argument<string>("VALUE") { Description = "The value; - reads it from standard input" };
        var contentType = new Option<string>("--content-type") { Description = "The value's type", DefaultValueFactory = _ => "text/plain" };
        var command = new Command("set", "Set a key; running services that watch it see the change at once") { ns, key, value, contentType, Cas,
            ConfigCanaryCommands.Canary, ConfigCanaryCommands.AutoRollback, ConfigCanaryCommands.Window };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var text = parse.GetValue(value)!;
            if (text == "-")
            {
                text = await System.Console.In.ReadToEndAsync(ct);
            }
            if (parse.GetValue(ConfigCanaryCommands.Canary) is not null)
            {
                return await ConfigCanaryCommands.StartAsync(client, parse, parse.GetValue(ns)!, parse.GetValue(key)!, text, parse.GetValue(contentType)!, ct);
            }
            using var content = new StringContent(text, Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(parse.GetValue(contentType)!);
            var path = ConfigCommand.KeyPath(parse.GetValue(ns)!, parse.GetValue(key)!) + CasQuery(parse);
            using var response = await client.PutAsync(path, content, ct);
            return await PrintRevisionAsync(response, ct);
        }));
        return command;
    }

    public static Command Delete()
    {
        var ns = ConfigCommand.Namespace();
        var key = ConfigCommand.Key();
        var command = new Command("delete", "Delete a key (its history is kept)") { ns, key, Cas };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.DeleteAsync(ConfigCommand.KeyPath(parse.GetValue(ns)!, parse.GetValue(key)!) + CasQuery(parse), ct);
            return await PrintRevisionAsync(response, ct);
        }));
        return command;
    }

    private static string CasQuery(ParseResult parse) => parse.GetValue(Cas) is { } revision ? $"?cas={revision}" : "";

    /// <summary>Prints "revision N" for a write that landed (or the problem), and returns the exit code.</summary>
    public static async Task<int> PrintRevisionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            return await ProjectContext.FailAsync(response);
        }
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var changed = !json.RootElement.TryGetProperty("changed", out var c) || c.GetBoolean();
        await System.Console.Out.WriteLineAsync(changed ? $"revision {json.RootElement.GetProperty("revision")}" : $"unchanged at revision {json.RootElement.GetProperty("revision")}");
        return 0;
    }
}
