namespace Autonomy.Client.Messaging;

/// <summary>
/// A message's AMQP properties, as far as a publisher sets them. Headers take strings, numbers, booleans and
/// nested dictionaries or lists of them; <c>x-delay</c> (milliseconds) holds a message back before it is ready.
/// </summary>
public sealed record MessageProperties
{
    public string? ContentType { get; init; }
    public string? ContentEncoding { get; init; }
    public IReadOnlyDictionary<string, object?>? Headers { get; init; }

    /// <summary>Kept across a broker restart (the default), or not.</summary>
    public bool Persistent { get; init; } = true;

    public byte? Priority { get; init; }
    public string? CorrelationId { get; init; }
    public string? ReplyTo { get; init; }

    /// <summary>How long the message may wait in a queue before it expires.</summary>
    public TimeSpan? Expiration { get; init; }

    /// <summary>Its id: queues with x-deduplication-window drop a message whose id they saw within it.</summary>
    public string? MessageId { get; init; }

    public DateTimeOffset? Timestamp { get; init; }
    public string? Type { get; init; }
    public string? AppId { get; init; }

    /// <summary>Held back this long before it becomes ready (the x-delay header).</summary>
    public TimeSpan? Delay { get; init; }
}
