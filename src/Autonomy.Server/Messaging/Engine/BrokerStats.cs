namespace Autonomy.Server.Messaging.Engine;

/// <summary>Counters since the broker opened, and what it holds now.</summary>
public sealed record BrokerStats(long Published, long Delivered, long Acknowledged, long Redelivered, long DeadLettered,
    long Expired, long Fsyncs, long BytesInMemory, long LogBytes, int LogSegments);
