using System.Buffers;
using System.Buffers.Binary;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>Cuts AMQP 0-9-1 frames out of a connection's input as it arrives, in whatever segments it arrives.</summary>
internal static class FrameReader
{
    /// <summary>
    /// Takes the next whole frame off the front of <paramref name="buffer"/>; false (buffer untouched) when it has
    /// not all arrived. A frame whose header already shows it is malformed or larger than
    /// <paramref name="frameMax"/> (0: no limit) is refused as soon as the header is in, without waiting for the
    /// rest of it.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, uint frameMax, out Frame frame)
    {
        frame = default;
        if (buffer.Length < AmqpFrames.HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[AmqpFrames.HeaderSize];
        buffer.Slice(0, AmqpFrames.HeaderSize).CopyTo(header);
        var type = header[0];
        var channel = BinaryPrimitives.ReadUInt16BigEndian(header[1..]);
        var size = BinaryPrimitives.ReadUInt32BigEndian(header[3..]);
        if (type is not ((byte)FrameType.Method or (byte)FrameType.Header or (byte)FrameType.Body or (byte)FrameType.Heartbeat))
        {
            throw new AmqpFrameException(ReplyCode.FrameError, $"unknown frame type {type} on channel {channel}");
        }
        var limit = frameMax == 0 ? int.MaxValue - AmqpFrames.Overhead : Math.Min(frameMax - AmqpFrames.Overhead, int.MaxValue - AmqpFrames.Overhead);
        if (frameMax != 0 && frameMax < AmqpFrames.Overhead || size > limit)
        {
            throw new AmqpFrameException(ReplyCode.FrameError,
                $"frame of type {type} on channel {channel} has a payload of {size} bytes, larger than the negotiated frame-max {frameMax} allows ({limit})");
        }
        var total = AmqpFrames.Overhead + size;
        if (buffer.Length < total)
        {
            return false;
        }
        var end = buffer.Slice(AmqpFrames.HeaderSize + size, 1).FirstSpan[0];
        if (end != AmqpFrames.FrameEnd)
        {
            throw new AmqpFrameException(ReplyCode.FrameError,
                $"frame of type {type} on channel {channel} with a payload of {size} bytes ends in 0x{end:X2}, not the frame-end octet 0xCE");
        }
        frame = new Frame((FrameType)type, channel, buffer.Slice(AmqpFrames.HeaderSize, size));
        buffer = buffer.Slice(total);
        return true;
    }
}
