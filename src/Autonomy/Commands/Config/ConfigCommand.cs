using System.CommandLine;

namespace Autonomy.Commands.Config;

/// <summary>
/// <c>autonomy config</c>: the config center of the running project (compose's own <c>config</c>
/// verb is <c>convert</c> here). Each namespace is a service's, <c>shared</c>, or one you made.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create() => new("config", "Read and change the running project's configuration")
    {
        ConfigReadCommands.List(),
        ConfigReadCommands.Get(),
        ConfigWriteCommands.Set(),
        ConfigWriteCommands.Delete(),
        ConfigHistoryCommands.History(),
        ConfigHistoryCommands.Rollback(),
        ConfigHistoryCommands.Diff(),
        ConfigFileCommands.Import(),
        ConfigFileCommands.Export(),
        ConfigCanaryCommands.Create(),
        ConfigWatchCommand.Create(),
    };

    public static readonly Option<string> Format = new("--format")
    {
        Description = "table or json",
        DefaultValueFactory = _ => "table",
    };

    static ConfigCommand() => Format.AcceptOnlyFromAmong("table", "json");

    public static Argument<string> Namespace() => new("NAMESPACE") { Description = "A service's name, shared, or a namespace you made" };

    public static Argument<string> Key() => new("KEY") { Description = "A ':'-separated key, as in .NET configuration (Logging:LogLevel:Default)" };

    /// <summary>
    /// GETs <paramref name="path"/> and prints it: as the server's JSON with <c>--format json</c>,
    /// otherwise through <paramref name="show"/>. A problem is printed as one line, exit code 1.
    /// </summary>
    public static async Task<int> ShowAsync(HttpClient client, string path, ParseResult parse, Action<System.Text.Json.JsonElement> show, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        if (!response.IsSuccessStatusCode)
        {
            return await Console.ProjectContext.FailAsync(response);
        }
        var body = await response.Content.ReadAsStringAsync(ct);
        if (parse.GetValue(Format) == "json")
        {
            await System.Console.Out.WriteLineAsync(body);
            return 0;
        }
        using var json = System.Text.Json.JsonDocument.Parse(body);
        show(json.RootElement);
        return 0;
    }

    /// <summary>The path of a key: each ':'-separated segment escaped, the ':' kept.</summary>
    public static string KeyPath(string ns, string key) =>
        $"/v1/config/{Uri.EscapeDataString(ns)}/keys/{string.Join(':', key.Split(':').Select(Uri.EscapeDataString))}";
}
