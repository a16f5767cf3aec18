using System.Buffers;
using System.Buffers.Binary;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// Writes AMQP 0-9-1 frames into a connection's output (a PipeWriter, flushed by the caller so that many frames
/// go out in one write). A frame's size comes before its payload, so method and header payloads are built in a
/// scratch buffer first: one writer per connection, not shared between threads.
/// </summary>
internal sealed class FrameWriter
{
    private readonly ArrayBufferWriter<byte> _scratch = new(256);

    public void WriteMethod<T>(IBufferWriter<byte> destination, ushort channel, in T method) where T : IAmqpMethod
    {
        _scratch.ResetWrittenCount();
        MethodCodec.Encode(method, _scratch);
        WriteFrame(destination, FrameType.Method, channel, _scratch.WrittenSpan);
    }

    public void WriteContentHeader(IBufferWriter<byte> destination, ushort channel, in ContentHeader header)
    {
        _scratch.ResetWrittenCount();
        header.Write(_scratch);
        WriteFrame(destination, FrameType.Header, channel, _scratch.WrittenSpan);
    }

    /// <summary>A content header from properties already in their wire encoding, as the broker stores them.</summary>
    public static void WriteContentHeader(IBufferWriter<byte> destination, ushort channel, ushort classId, ulong bodySize, ReadOnlySpan<byte> encodedProperties)
    {
        var payloadSize = ContentHeader.FixedSize + encodedProperties.Length;
        WriteFrameHeader(destination, FrameType.Header, channel, payloadSize);
        var span = destination.GetSpan(ContentHeader.FixedSize);
        BinaryPrimitives.WriteUInt16BigEndian(span, classId);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], 0);
        BinaryPrimitives.WriteUInt64BigEndian(span[4..], bodySize);
        destination.Advance(ContentHeader.FixedSize);
        destination.Write(encodedProperties);
        WriteFrameEnd(destination);
    }

    /// <summary>
    /// The body as frames of at most frame-max minus the frame overhead each (frame-max 0: no limit). An empty
    /// body is no frame at all, as the content header's size of 0 already says.
    /// </summary>
    public static void WriteBody(IBufferWriter<byte> destination, ushort channel, ReadOnlySequence<byte> body, uint frameMax)
    {
        var chunk = MaxPayload(frameMax);
        while (body.Length > 0)
        {
            var part = body.Slice(0, Math.Min(body.Length, chunk));
            WriteFrameHeader(destination, FrameType.Body, channel, (int)part.Length);
            foreach (var segment in part)
            {
                destination.Write(segment.Span);
            }
            WriteFrameEnd(destination);
            body = body.Slice(part.Length);
        }
    }

    public static void WriteBody(IBufferWriter<byte> destination, ushort channel, ReadOnlyMemory<byte> body, uint frameMax) =>
        WriteBody(destination, channel, new ReadOnlySequence<byte>(body), frameMax);

    /// <summary>A method that carries content, its header and its body, as one uninterrupted run of frames.</summary>
    public void WriteContent<T>(IBufferWriter<byte> destination, ushort channel, in T method, MessageProperties properties, ReadOnlySequence<byte> body, uint frameMax)
        where T : IAmqpMethod
    {
        WriteMethod(destination, channel, method);
        WriteContentHeader(destination, channel, new ContentHeader(method.ClassId, (ulong)body.Length, properties));
        WriteBody(destination, channel, body, frameMax);
    }

    public static void WriteHeartbeat(IBufferWriter<byte> destination)
    {
        WriteFrameHeader(destination, FrameType.Heartbeat, 0, 0);
        WriteFrameEnd(destination);
    }

    /// <summary>The largest payload a frame may carry under a frame-max.</summary>
    public static int MaxPayload(uint frameMax) => frameMax == 0 || frameMax - AmqpFrames.Overhead > int.MaxValue
        ? int.MaxValue - AmqpFrames.Overhead
        : checked((int)(frameMax - AmqpFrames.Overhead));

    private static void WriteFrame(IBufferWriter<byte> destination, FrameType type, ushort channel, ReadOnlySpan<byte> payload)
    {
        WriteFrameHeader(destination, type, channel, payload.Length);
        destination.Write(payload);
        WriteFrameEnd(destination);
    }

    private static void WriteFrameHeader(IBufferWriter<byte> destination, FrameType type, ushort channel, int payloadSize)
    {
        var span = destination.GetSpan(AmqpFrames.HeaderSize);
        span[0] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], channel);
        BinaryPrimitives.WriteUInt32BigEndian(span[3..], (uint)payloadSize);
        destination.Advance(AmqpFrames.HeaderSize);
    }

    private static void WriteFrameEnd(IBufferWriter<byte> destination)
    {
        destination.GetSpan(1)[0] = AmqpFrames.FrameEnd;
        destination.Advance(1);
    }
}
