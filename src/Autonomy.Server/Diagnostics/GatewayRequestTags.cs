using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Autonomy.Server.Diagnostics;

/// <summary>
/// The gateway's request metrics, kept per route and status class with their tags made once, so that counting a request
/// builds no string and allocates nothing. The count is a plain interlocked add that the scrape reads (an OpenTelemetry
/// counter would look its series up by tags on every request, which measurably slows the gateway); the duration goes
/// to a histogram.
/// </summary>
internal static class GatewayRequestTags
{
    private static readonly string[] Classes = ["1xx", "2xx", "3xx", "4xx", "5xx"];
    private static readonly ConcurrentDictionary<string, RouteSeries> ByRoute = new(StringComparer.Ordinal);

    static GatewayRequestTags() =>
        AutonomyMetrics.Meter.CreateObservableCounter("autonomy.gateway.requests", Observe,
            description: "Requests the gateway answered, by route and status class");

    /// <summary>Counts a request of <paramref name="route"/> answered with <paramref name="status"/> that took <paramref name="seconds"/>.</summary>
    public static void Record(string route, int status, double seconds)
    {
        if (!ByRoute.TryGetValue(route, out var series))
        {
            series = ByRoute.GetOrAdd(route, r => new RouteSeries(r));
        }
        var index = Math.Clamp(status / 100, 1, 5) - 1;
        Interlocked.Increment(ref series.Counts[index]);
        AutonomyMetrics.GatewayRequestDuration.Record(seconds, series.Tags[index]);
    }

    private static IEnumerable<Measurement<long>> Observe()
    {
        foreach (var series in ByRoute.Values)
        {
            for (var i = 0; i < Classes.Length; i++)
            {
                var count = Volatile.Read(ref series.Counts[i]);
                if (count > 0)
                {
                    yield return new Measurement<long>(count, series.Tags[i]);
                }
            }
        }
    }

    private sealed class RouteSeries(string route)
    {
        public readonly long[] Counts = new long[Classes.Length];

        public readonly KeyValuePair<string, object?>[][] Tags =
            [.. Classes.Select(c => new KeyValuePair<string, object?>[] { new("route", route), new("status_class", c) })];
    }
}
