using System.Diagnostics.Metrics;

namespace Autonomy.Server.Diagnostics;

/// <summary>
/// The instruments that hot paths record into (the gateway's request durations, the broker's confirms, the fsyncs of the store
/// and of the broker's log): static, so recording is one call with no lookup, and nothing when no one listens. What is
/// read rather than recorded (replicas, queues, config revisions) is observed by <see cref="PlaneMetrics"/> at scrape time.
/// </summary>
internal static class AutonomyMetrics
{
    public const string MeterName = "Autonomy";

    public static readonly Meter Meter = new(MeterName);

    // Seconds, from a tenth of a millisecond (an fsync on a fast disk, a small proxied answer) to ten seconds.
    private static readonly InstrumentAdvice<double> Latency = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    public static readonly Histogram<double> GatewayRequestDuration = Meter.CreateHistogram(
        "autonomy.gateway.request.duration", "s", "Time from a request's arrival at the gateway to the end of its answer", advice: Latency);

    public static readonly Histogram<double> BrokerConfirmLatency = Meter.CreateHistogram(
        "autonomy.broker.confirm.latency", "s", "Time from a publish in confirm mode to the broker's confirm of it (on disk for a durable message)", advice: Latency);

    public static readonly Histogram<double> BrokerLogFsync = Meter.CreateHistogram(
        "autonomy.broker.log.fsync.duration", "s", "Time of each fsync of the broker's message log (one per group commit)", advice: Latency);

    public static readonly Histogram<double> StoreFsync = Meter.CreateHistogram(
        "autonomy.store.fsync.duration", "s", "Time of each commit of the config store, whose fsync of the write-ahead log is most of it", advice: Latency);

    public static readonly Histogram<double> ConfigPushLatency = Meter.CreateHistogram(
        "autonomy.config.push.latency", "s", "Time from a config write's commit to its delivery: to a watcher (delivery=watch) or to replicas' files (delivery=file)", advice: Latency);
}
