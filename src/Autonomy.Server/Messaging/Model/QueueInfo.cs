namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// A queue and its counts at one moment. Ready messages can be delivered now; unacked ones are out with a
/// consumer; delayed ones wait for their x-delay or retry backoff. Bytes counts the bodies of all of them.
/// </summary>
public sealed record QueueInfo(string Name, string Vhost, bool Durable, bool Exclusive, bool AutoDelete, FieldTable Arguments,
    long Ready, long Unacked, long Delayed, long Bytes, int Consumers)
{
    public long Messages => Ready + Unacked + Delayed;

    /// <summary>The exchange this queue's dead letters go to (x-dead-letter-exchange), if any.</summary>
    public string? DeadLetterExchange { get; init; }

    /// <summary>Messages published into the queue since the broker started.</summary>
    public long Published { get; init; }

    /// <summary>Deliveries from the queue (to consumers and gets) since the broker started.</summary>
    public long Delivered { get; init; }
}
