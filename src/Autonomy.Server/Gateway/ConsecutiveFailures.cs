using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Autonomy.Server.Gateway;

/// <summary>
/// Passive health as circuit breaking: a replica whose last <c>failures</c> requests in a row all failed (no answer,
/// or a 5xx) is taken out of rotation for <c>backoff</c>, then given traffic again. Each time it fails again right
/// after coming back its time out doubles, up to five minutes; a success resets it.
/// </summary>
internal sealed class ConsecutiveFailures(IDestinationHealthUpdater health) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "ConsecutiveFailures";
    public const string FailuresKey = "autonomy.ejection.failures";
    public const string BackoffKey = "autonomy.ejection.backoff_ms";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private readonly ConditionalWeakTable<DestinationState, Streak> _streaks = [];

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var streak = _streaks.GetValue(destination, static _ => new Streak());
        if (!Failed(context))
        {
            if (streak.Failures != 0 || streak.Ejections != 0)
            {
                lock (streak)
                {
                    streak.Failures = 0;
                    streak.Ejections = 0;
                }
            }
            return;
        }
        var metadata = cluster.Model.Config.Metadata;
        var threshold = Setting(metadata, FailuresKey, 5);
        var backoff = TimeSpan.FromMilliseconds(Setting(metadata, BackoffKey, 10_000));
        lock (streak)
        {
            if (++streak.Failures < threshold)
            {
                return;
            }
            streak.Failures = 0;
            var period = backoff * Math.Pow(2, Math.Min(streak.Ejections, 16));
            streak.Ejections++;
            health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, period < MaxBackoff ? period : MaxBackoff);
        }
    }

    /// <summary>The replica failed the request: no answer (not the client's doing), or a server error.</summary>
    private static bool Failed(HttpContext context)
    {
        if (context.Features.Get<IForwarderErrorFeature>() is { } error)
        {
            return error.Error is not (ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestCanceled
                or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseCanceled or ForwarderError.UpgradeResponseClient);
        }
        return context.Response.StatusCode >= 500;
    }

    private static int Setting(IReadOnlyDictionary<string, string>? metadata, string key, int fallback) =>
        metadata is not null && metadata.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private sealed class Streak
    {
        public int Failures;
        public int Ejections;
    }
}
