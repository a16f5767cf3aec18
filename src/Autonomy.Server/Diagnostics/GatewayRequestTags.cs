using System.Collections.Concurrent;

namespace Autonomy.Server.Diagnostics;

/// <summary>
/// The tags of the gateway's request metrics, made once per route and status class, so that counting a request
/// builds no string and allocates nothing.
/// </summary>
internal static class GatewayRequestTags
{
    private static readonly string[] Classes = ["1xx", "2xx", "3xx", "4xx", "5xx"];
    private static readonly ConcurrentDictionary<string, KeyValuePair<string, object?>[][]> ByRoute = new(StringComparer.Ordinal);

    /// <summary>Counts a request of <paramref name="route"/> answered with <paramref name="status"/> that took <paramref name="seconds"/>.</summary>
    public static void Record(string route, int status, double seconds)
    {
        if (!ByRoute.TryGetValue(route, out var tags))
        {
            tags = ByRoute.GetOrAdd(route, Make);
        }
        var tagsOfClass = tags[Math.Clamp(status / 100, 1, 5) - 1];
        AutonomyMetrics.GatewayRequests.Add(1, tagsOfClass);
        AutonomyMetrics.GatewayRequestDuration.Record(seconds, tagsOfClass);
    }

    private static KeyValuePair<string, object?>[][] Make(string route) =>
        [.. Classes.Select(c => new KeyValuePair<string, object?>[] { new("route", route), new("status_class", c) })];
}
