using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// What a queue keeps in memory per message: where its record is, its size and timing, never its body (which is
/// read back from the log, or from the body cache, when it is delivered). Small and a struct, so that a queue of a
/// million messages is a few tens of megabytes of arrays, not a million objects.
/// </summary>
internal struct QueueEntry
{
    public LogPosition Position;

    /// <summary>Unix milliseconds after which the message is dead (long.MaxValue: never).</summary>
    public long ExpiresAt;

    /// <summary>Unix milliseconds before which it is not delivered (x-delay, retry backoff); 0 when ready.</summary>
    public long ReadyAt;

    public int BodySize;

    /// <summary>How many times a delivery of it was returned to the queue.</summary>
    public int DeliveryCount;

    public byte Priority;

    public EntryFlags Flags;

    public readonly bool Redelivered => (Flags & EntryFlags.Redelivered) != 0;

    /// <summary>Persistent message in a durable queue: its settlements must be logged, since recovery brings it back.</summary>
    public readonly bool Recoverable => (Flags & EntryFlags.Recoverable) != 0;
}

[Flags]
internal enum EntryFlags : byte
{
    None = 0,
    Redelivered = 1,
    Recoverable = 2,
}
