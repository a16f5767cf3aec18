using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;

namespace Autonomy.Commands.Messaging;

/// <summary>
/// <c>autonomy mq</c>: the running project's embedded broker: its vhosts and queues, publishing, a live tail
/// of a queue, and dead letters. A verb that works in one vhost takes <c>--vhost</c>, which a project of one
/// service may leave out.
/// </summary>
internal static class MqCommand
{
    public static Command Create() => new("mq", "See and use the running project's message queues")
    {
        MqListCommand.Create(),
        MqPublishCommand.Create(),
        MqTailCommand.Create(),
        MqDeadLetterCommands.Create(),
    };

    public static Option<string?> Vhost() => new("--vhost") { Description = "The vhost (a service's name); needed when the project has several services" };

    public static Option<string> Format()
    {
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    /// <summary>Runs <paramref name="call"/> with a client of the running server and the project it runs.</summary>
    public static async Task<int> WithServerAsync(ParseResult parse, Func<ProjectContext, HttpClient, Task<int>> call)
    {
        if (ProjectContext.Load(parse) is not { } context || context.Client() is not { } client)
        {
            return 1;
        }
        using (client)
        {
            return await call(context, client);
        }
    }

    /// <summary>
    /// The vhost a verb works in: the one given, or the only service's; otherwise null, after saying which
    /// vhosts there are to choose from.
    /// </summary>
    public static async Task<string?> VhostAsync(ParseResult parse, Option<string?> option, ProjectContext context, HttpClient client, CancellationToken ct)
    {
        if (parse.GetValue(option) is { } given)
        {
            return given;
        }
        if (context.Project.Services.Count == 1)
        {
            return context.Project.Services[0].Name;
        }
        using var response = await client.GetAsync("/v1/mq/vhosts", ct);
        var names = new List<string>();
        if (response.IsSuccessStatusCode)
        {
            using var vhosts = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            names.AddRange(vhosts.RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString()!));
        }
        await System.Console.Error.WriteLineAsync(
            $"error: give --vhost: the project '{context.Project.Name}' has {context.Project.Services.Count} services, so there is no single vhost to take; the vhosts are {string.Join(", ", names)}");
        return null;
    }

    /// <summary>A path segment, escaped.</summary>
    public static string Segment(string name) => Uri.EscapeDataString(name);

    /// <summary>Rows in columns of their widest cell, as <c>ps</c> and <c>db ls</c> print them.</summary>
    public static async Task PrintColumnsAsync(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            await System.Console.Out.WriteLineAsync(string.Join("   ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }

    public static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ToString() : "";
}
