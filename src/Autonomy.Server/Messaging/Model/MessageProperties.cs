namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// The basic properties of an AMQP 0-9-1 message, in full. <see cref="PropertiesCodec"/> encodes them as a content
/// header does, which is also how the broker stores them.
/// </summary>
public sealed record MessageProperties
{
    public static MessageProperties Empty { get; } = new();

    public string? ContentType { get; init; }
    public string? ContentEncoding { get; init; }
    public FieldTable? Headers { get; init; }

    /// <summary>1 = transient, 2 = persistent.</summary>
    public byte? DeliveryMode { get; init; }

    public byte? Priority { get; init; }
    public string? CorrelationId { get; init; }
    public string? ReplyTo { get; init; }

    /// <summary>Per-message TTL: a whole number of milliseconds, written as text (as AMQP has it).</summary>
    public string? Expiration { get; init; }

    public string? MessageId { get; init; }

    /// <summary>AMQP timestamps have a resolution of one second.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    public string? Type { get; init; }
    public string? UserId { get; init; }
    public string? AppId { get; init; }
    public string? ClusterId { get; init; }

    public bool Persistent => DeliveryMode == 2;
}
