using System.Buffers;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// The payload of a content header frame: the content's class, a weight that must be 0, the body size, and the
/// properties exactly as <see cref="PropertiesCodec"/> encodes them (which is also how the broker stores them).
/// </summary>
internal readonly record struct ContentHeader(ushort ClassId, ulong BodySize, MessageProperties Properties)
{
    /// <summary>Class id, weight and body size in front of the properties.</summary>
    public const int FixedSize = 12;

    /// <summary>Decodes a header frame's payload; anything malformed is a SYNTAX_ERROR naming what is wrong.</summary>
    public static ContentHeader Decode(ReadOnlySpan<byte> payload)
    {
        var classId = ReadPrefix(payload, out var bodySize, out var encodedProperties);
        try
        {
            return new ContentHeader(classId, bodySize, PropertiesCodec.Decode(encodedProperties));
        }
        catch (FormatException e)
        {
            throw new AmqpFrameException(ReplyCode.SyntaxError, $"content header of class {classId}: {e.Message}", classId);
        }
    }

    /// <summary>Decodes a header frame's payload that may lie across several buffer segments.</summary>
    public static ContentHeader Decode(in ReadOnlySequence<byte> payload) => SegmentedPayload.Decode(payload, Decode);

    /// <summary>
    /// Reads the fixed part and hands back the encoded properties as they are, for a broker that stores them in
    /// this same encoding without decoding them.
    /// </summary>
    public static ushort ReadPrefix(ReadOnlySpan<byte> payload, out ulong bodySize, out ReadOnlySpan<byte> encodedProperties)
    {
        // The property flags follow the fixed part, so a header shorter than both is cut short.
        if (payload.Length < FixedSize + 2)
        {
            throw new AmqpFrameException(ReplyCode.FrameError, $"content header of {payload.Length} bytes is shorter than its fixed part and property flags ({FixedSize + 2})");
        }
        var reader = new AmqpReader(payload);
        var classId = reader.UInt16();
        var weight = reader.UInt16();
        if (weight != 0)
        {
            throw new AmqpFrameException(ReplyCode.SyntaxError, $"content header of class {classId} has weight {weight}; it must be 0", classId);
        }
        bodySize = reader.UInt64();
        encodedProperties = payload[FixedSize..];
        return classId;
    }

    public void Write(IBufferWriter<byte> destination)
    {
        var writer = new AmqpWriter(destination);
        writer.UInt16(ClassId);
        writer.UInt16(0);
        writer.UInt64(BodySize);
        PropertiesCodec.Encode(Properties ?? MessageProperties.Empty, destination);
    }
}
