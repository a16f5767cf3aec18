using System.Buffers;

namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// The basic properties as an AMQP 0-9-1 content header carries them: a 16-bit flag word (one bit per present
/// property, from content-type at bit 15 down to cluster-id at bit 2), then the present properties in order. The
/// class id, weight and body size that precede them on the wire are the frame codec's business.
/// </summary>
public static class PropertiesCodec
{
    private const ushort ContentTypeFlag = 1 << 15;
    private const ushort ContentEncodingFlag = 1 << 14;
    private const ushort HeadersFlag = 1 << 13;
    private const ushort DeliveryModeFlag = 1 << 12;
    private const ushort PriorityFlag = 1 << 11;
    private const ushort CorrelationIdFlag = 1 << 10;
    private const ushort ReplyToFlag = 1 << 9;
    private const ushort ExpirationFlag = 1 << 8;
    private const ushort MessageIdFlag = 1 << 7;
    private const ushort TimestampFlag = 1 << 6;
    private const ushort TypeFlag = 1 << 5;
    private const ushort UserIdFlag = 1 << 4;
    private const ushort AppIdFlag = 1 << 3;
    private const ushort ClusterIdFlag = 1 << 2;
    private const ushort ContinuationFlag = 1;

    public static void Encode(MessageProperties properties, IBufferWriter<byte> destination)
    {
        var writer = new AmqpWriter(destination);
        var p = properties;
        writer.UInt16((ushort)(
            (p.ContentType is null ? 0 : ContentTypeFlag) | (p.ContentEncoding is null ? 0 : ContentEncodingFlag)
            | (p.Headers is null ? 0 : HeadersFlag) | (p.DeliveryMode is null ? 0 : DeliveryModeFlag)
            | (p.Priority is null ? 0 : PriorityFlag) | (p.CorrelationId is null ? 0 : CorrelationIdFlag)
            | (p.ReplyTo is null ? 0 : ReplyToFlag) | (p.Expiration is null ? 0 : ExpirationFlag)
            | (p.MessageId is null ? 0 : MessageIdFlag) | (p.Timestamp is null ? 0 : TimestampFlag)
            | (p.Type is null ? 0 : TypeFlag) | (p.UserId is null ? 0 : UserIdFlag)
            | (p.AppId is null ? 0 : AppIdFlag) | (p.ClusterId is null ? 0 : ClusterIdFlag)));
        Short(ref writer, p.ContentType, "content_type");
        Short(ref writer, p.ContentEncoding, "content_encoding");
        if (p.Headers is not null)
        {
            FieldTableCodec.WriteTable(ref writer, p.Headers, 0);
        }
        if (p.DeliveryMode is { } mode)
        {
            writer.Octet(mode);
        }
        if (p.Priority is { } priority)
        {
            writer.Octet(priority);
        }
        Short(ref writer, p.CorrelationId, "correlation_id");
        Short(ref writer, p.ReplyTo, "reply_to");
        Short(ref writer, p.Expiration, "expiration");
        Short(ref writer, p.MessageId, "message_id");
        if (p.Timestamp is { } timestamp)
        {
            writer.UInt64((ulong)timestamp.ToUnixTimeSeconds());
        }
        Short(ref writer, p.Type, "type");
        Short(ref writer, p.UserId, "user_id");
        Short(ref writer, p.AppId, "app_id");
        Short(ref writer, p.ClusterId, "cluster_id");
    }

    public static byte[] Encode(MessageProperties properties)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Encode(properties, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes what <see cref="Encode(MessageProperties, IBufferWriter{byte})"/> wrote; malformed input is a <see cref="FormatException"/>.</summary>
    public static MessageProperties Decode(ReadOnlySpan<byte> source)
    {
        var reader = new AmqpReader(source);
        var flags = ReadFlags(ref reader);
        var properties = new MessageProperties
        {
            ContentType = (flags & ContentTypeFlag) != 0 ? reader.ShortString() : null,
            ContentEncoding = (flags & ContentEncodingFlag) != 0 ? reader.ShortString() : null,
            Headers = (flags & HeadersFlag) != 0 ? FieldTableCodec.ReadTable(ref reader, 0) : null,
            DeliveryMode = (flags & DeliveryModeFlag) != 0 ? reader.Octet() : null,
            Priority = (flags & PriorityFlag) != 0 ? reader.Octet() : null,
            CorrelationId = (flags & CorrelationIdFlag) != 0 ? reader.ShortString() : null,
            ReplyTo = (flags & ReplyToFlag) != 0 ? reader.ShortString() : null,
            Expiration = (flags & ExpirationFlag) != 0 ? reader.ShortString() : null,
            MessageId = (flags & MessageIdFlag) != 0 ? reader.ShortString() : null,
            Timestamp = (flags & TimestampFlag) != 0 ? Timestamp(reader.UInt64()) : null,
            Type = (flags & TypeFlag) != 0 ? reader.ShortString() : null,
            UserId = (flags & UserIdFlag) != 0 ? reader.ShortString() : null,
            AppId = (flags & AppIdFlag) != 0 ? reader.ShortString() : null,
            ClusterId = (flags & ClusterIdFlag) != 0 ? reader.ShortString() : null,
        };
        return reader.AtEnd ? properties : throw new FormatException($"{source.Length - reader.Position} bytes follow the last property");
    }

    /// <summary>
    /// Reads the properties in place, without decoding them into objects: checks that the flag word and every present
    /// property are well formed (the headers table only as far as its length; <see cref="BasicPropertiesView.ReadHeaders"/>
    /// reads its fields) and returns the fields the broker acts on. Malformed input is a <see cref="FormatException"/>.
    /// </summary>
    public static BasicPropertiesView Peek(ReadOnlySpan<byte> source)
    {
        var reader = new AmqpReader(source);
        var flags = ReadFlags(ref reader);
        SkipShort(ref reader, flags, ContentTypeFlag);
        SkipShort(ref reader, flags, ContentEncodingFlag);
        var headers = ReadOnlySpan<byte>.Empty;
        if ((flags & HeadersFlag) != 0)
        {
            var start = reader.Position;
            var length = reader.UInt32();
            if (length > int.MaxValue)
            {
                throw new FormatException($"a headers table of {length} bytes");
            }
            reader.Take((int)length);
            headers = source[start..reader.Position];
        }
        byte? deliveryMode = (flags & DeliveryModeFlag) != 0 ? reader.Octet() : null;
        byte? priority = (flags & PriorityFlag) != 0 ? reader.Octet() : null;
        SkipShort(ref reader, flags, CorrelationIdFlag);
        SkipShort(ref reader, flags, ReplyToFlag);
        var expiration = (flags & ExpirationFlag) != 0 ? reader.Take(reader.Octet()) : default;
        var messageId = (flags & MessageIdFlag) != 0 ? reader.Take(reader.Octet()) : default;
        ulong? timestamp = null;
        if ((flags & TimestampFlag) != 0)
        {
            timestamp = reader.UInt64();
            _ = Timestamp(timestamp.Value);
        }
        SkipShort(ref reader, flags, TypeFlag);
        SkipShort(ref reader, flags, UserIdFlag);
        SkipShort(ref reader, flags, AppIdFlag);
        SkipShort(ref reader, flags, ClusterIdFlag);
        return reader.AtEnd
            ? new BasicPropertiesView(deliveryMode, priority, headers, expiration, messageId, timestamp,
                (flags & ExpirationFlag) != 0, (flags & MessageIdFlag) != 0)
            : throw new FormatException($"{source.Length - reader.Position} bytes follow the last property");
    }

    private static void SkipShort(ref AmqpReader reader, ushort flags, ushort flag)
    {
        if ((flags & flag) != 0)
        {
            reader.Take(reader.Octet());
        }
    }

    /// <summary>The first flag word; further ones (chained through the lowest bit) must be empty, as basic has 14 properties.</summary>
    private static ushort ReadFlags(ref AmqpReader reader)
    {
        var flags = reader.UInt16();
        var more = (flags & ContinuationFlag) != 0;
        while (more)
        {
            var next = reader.UInt16();
            if ((next & ~ContinuationFlag) != 0)
            {
                throw new FormatException($"the property flags name properties basic does not have (0x{next:x4})");
            }
            more = (next & ContinuationFlag) != 0;
        }
        return (flags & 0b10) != 0 ? throw new FormatException("the property flags set bit 1, which basic does not use") : flags;
    }

    private static void Short(ref AmqpWriter writer, string? value, string name)
    {
        if (value is not null)
        {
            writer.ShortString(value, $"the property '{name}'");
        }
    }

    private static DateTimeOffset Timestamp(ulong seconds) => seconds > 253402300799UL
        ? throw new FormatException($"a timestamp of {seconds} seconds is past the year 9999")
        : DateTimeOffset.FromUnixTimeSeconds((long)seconds);
}
