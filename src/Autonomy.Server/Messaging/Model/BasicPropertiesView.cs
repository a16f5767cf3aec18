using System.Text;

namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// The basic properties read in place from their encoded form (<see cref="PropertiesCodec.Peek"/>): the fields the
/// broker acts on, as spans over the caller's bytes, so that looking at a message allocates nothing unless it has
/// headers or the caller asks for a string.
/// </summary>
public readonly ref struct BasicPropertiesView
{
    internal BasicPropertiesView(byte? deliveryMode, byte? priority, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> expiration,
        ReadOnlySpan<byte> messageId, ulong? timestamp, bool hasExpiration, bool hasMessageId)
    {
        DeliveryMode = deliveryMode;
        Priority = priority;
        EncodedHeaders = headers;
        Expiration = expiration;
        MessageId = messageId;
        Timestamp = timestamp;
        HasExpiration = hasExpiration;
        HasMessageId = hasMessageId;
    }

    public byte? DeliveryMode { get; }

    /// <summary>Delivery mode 2: the message is meant to survive a restart (in a durable queue).</summary>
    public bool Persistent => DeliveryMode == 2;

    public byte? Priority { get; }

    /// <summary>The headers table as encoded (32-bit length, then fields); empty when there are no headers.</summary>
    public ReadOnlySpan<byte> EncodedHeaders { get; }

    public bool HasHeaders => !EncodedHeaders.IsEmpty;

    /// <summary>The expiration property's bytes (meant to be a whole number of milliseconds as text).</summary>
    public ReadOnlySpan<byte> Expiration { get; }

    public bool HasExpiration { get; }

    public ReadOnlySpan<byte> MessageId { get; }

    public bool HasMessageId { get; }

    /// <summary>Seconds since the Unix epoch.</summary>
    public ulong? Timestamp { get; }

    /// <summary>The message id as text (allocates), or null when there is none.</summary>
    public string? MessageIdText => HasMessageId ? Encoding.UTF8.GetString(MessageId) : null;

    /// <summary>Decodes the headers (allocates), or null when there are none; malformed ones are a <see cref="FormatException"/>.</summary>
    public FieldTable? ReadHeaders()
    {
        if (EncodedHeaders.IsEmpty)
        {
            return null;
        }
        var table = FieldTableCodec.Read(EncodedHeaders, out var consumed);
        return consumed == EncodedHeaders.Length ? table
            : throw new FormatException($"the headers table says it is {EncodedHeaders.Length} bytes long but its fields take {consumed}");
    }
}
