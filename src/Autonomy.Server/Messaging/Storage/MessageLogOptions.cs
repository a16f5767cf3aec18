namespace Autonomy.Server.Messaging.Storage;

public sealed record MessageLogOptions
{
    /// <summary>A new segment is started when a record would take the active one past this size (64 MiB).</summary>
    public long SegmentBytes { get; init; } = 64L << 20;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
