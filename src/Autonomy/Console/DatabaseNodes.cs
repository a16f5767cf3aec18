using System.Globalization;
using System.Text.Json;

namespace Autonomy.Console;

/// <summary>
/// The nodes behind the services' PostgreSQL databases, one line per server with the services on it,
/// as <c>ps</c> and <c>db ls</c> print them under their tables: which node is the primary, which are
/// standbys or down, and a degraded server (no primary answers) first and in capitals.
/// </summary>
internal static class DatabaseNodes
{
    public static IEnumerable<string> Lines(IEnumerable<(string Service, JsonElement Health)> databases)
    {
        var servers = databases.GroupBy(d => d.Health.GetProperty("server").GetString()!, StringComparer.Ordinal)
            .Select(g => (Server: g.Key, Services: g.Select(d => d.Service).ToList(), Health: g.First().Health))
            .OrderBy(s => s.Health.GetProperty("state").GetString() == "degraded" ? 0 : 1).ThenBy(s => s.Server, StringComparer.Ordinal);
        foreach (var (server, services, health) in servers)
        {
            var nodes = string.Join(", ", health.GetProperty("nodes").EnumerateArray().Select(Node));
            var state = health.GetProperty("state").GetString();
            var prefix = $"database {server} ({string.Join(", ", services)})";
            yield return state switch
            {
                "degraded" => $"{prefix}: DEGRADED, no primary answers{Since(health)}: {nodes}",
                "checking" => $"{prefix}: checking {nodes}",
                _ => $"{prefix}: {nodes}",
            };
        }
    }

    private static string Node(JsonElement node)
    {
        var text = $"{node.GetProperty("host").GetString()} {node.GetProperty("role").GetString()}";
        return node.GetProperty("error").ValueKind == JsonValueKind.String ? $"{text} ({node.GetProperty("error").GetString()})" : text;
    }

    private static string Since(JsonElement health) =>
        health.GetProperty("since").ValueKind == JsonValueKind.String && health.GetProperty("since").TryGetDateTimeOffset(out var since)
            ? string.Create(CultureInfo.InvariantCulture, $" for {(DateTimeOffset.UtcNow - since).TotalSeconds:0} s") : "";
}
