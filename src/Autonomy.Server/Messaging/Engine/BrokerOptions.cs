using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>Where the broker keeps its state and the limits it works within.</summary>
public sealed record BrokerOptions
{
    /// <summary>The broker's folder: log segments under log/, definitions.json beside them.</summary>
    public required string Directory { get; init; }

    /// <summary>The file layer the log writes through (tests replace it with one that can crash).</summary>
    public ILogFileSystem Files { get; init; } = new OsLogFileSystem();

    /// <summary>A new log segment is started when the active one passes this size.</summary>
    public long SegmentBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Bytes of messages handed to the log and not yet written above which publishers are held back (until the
    /// writer is below 80% of it again). Below the log's own 64 MiB bound, so that publishers wait here, asynchronously.
    /// </summary>
    public long MemoryHighWatermarkBytes { get; init; } = 32L << 20;

    /// <summary>Free space on the log's disk below which publishers are slowed.</summary>
    public long DiskFreeLimitBytes { get; init; } = 50L << 20;

    /// <summary>Bodies of recent messages kept in memory so that a consumer that keeps up never reads the disk.</summary>
    public long BodyCacheBytes { get; init; } = 32L << 20;

    /// <summary>The clock for TTLs, delays, retry backoff and queue expiry.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
