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

    /// <summary>Message bodies held in memory (not yet written, or cached) above which publishers are slowed.</summary>
    public long MemoryHighWatermarkBytes { get; init; } = 256L << 20;

    /// <summary>Free space on the log's disk below which publishers are slowed.</summary>
    public long DiskFreeLimitBytes { get; init; } = 50L << 20;

    /// <summary>Bodies of recent messages kept in memory so that a consumer that keeps up never reads the disk.</summary>
    public long BodyCacheBytes { get; init; } = 32L << 20;

    /// <summary>The clock for TTLs, delays, retry backoff and queue expiry.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
