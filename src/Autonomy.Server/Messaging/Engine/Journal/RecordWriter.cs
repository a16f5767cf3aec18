using System.Buffers.Binary;
using System.Text;
using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Encodes the broker's log records (little-endian; names as one length byte and UTF-8). A message record:
/// kind, flags, published-at, ready-at, expires-after, priority, vhost, exchange, routing key, the queues, the
/// properties (as a content header has them) and the body. A transfer record is a settlement of one message in one
/// queue followed by a message part, so that the two happen together or not at all.
/// </summary>
internal static class RecordWriter
{
    public static byte[] Message(in MessageHeader header, IReadOnlyList<string> queues, ReadOnlySpan<byte> properties,
        ReadOnlySpan<byte> body) =>
        Build(RecordKind.Message, null, header, queues, properties, body);

    public static byte[] Transfer(string fromQueue, LogPosition from, in MessageHeader header, IReadOnlyList<string> queues,
        ReadOnlySpan<byte> properties, ReadOnlySpan<byte> body) =>
        Build(RecordKind.Transfer, (fromQueue, from), header, queues, properties, body);

    /// <summary>The most a settle record of <paramref name="count"/> offsets takes (each offset is at most 10 bytes).</summary>
    public static int SettleSizeLimit(string vhost, string queue, int count) => 1 + Size(vhost) + Size(queue) + 8 + 4 + (count * 10);

    /// <summary>
    /// Writes a settle record into <paramref name="destination"/> (at least <see cref="SettleSizeLimit"/> long) and
    /// returns its length: the caller brings the buffer, so that an ack allocates none.
    /// </summary>
    public static int Settle(Span<byte> destination, string vhost, string queue, long segment, ReadOnlySpan<long> offsets)
    {
        // Offsets ascend, so each is written as a varint of its distance from the one before.
        var writer = new Writer(destination);
        writer.Byte((byte)RecordKind.Settle);
        writer.Name(vhost);
        writer.Name(queue);
        writer.Int64(segment);
        writer.Int32(offsets.Length);
        var previous = 0L;
        foreach (var offset in offsets)
        {
            writer.VarInt((ulong)(offset - previous));
            previous = offset;
        }
        return writer.Position;
    }

    public static int ReturnSize(string vhost, string queue) => 1 + Size(vhost) + Size(queue) + 8 + 8 + 4 + 8 + 1;

    /// <summary>Writes a return record into <paramref name="destination"/> (<see cref="ReturnSize"/> long) and returns its length.</summary>
    public static int Return(Span<byte> destination, string vhost, string queue, LogPosition position, int deliveryCount,
        long readyAt, bool redelivered)
    {
        var writer = new Writer(destination);
        writer.Byte((byte)RecordKind.Return);
        writer.Name(vhost);
        writer.Name(queue);
        writer.Int64(position.Segment);
        writer.Int64(position.Offset);
        writer.Int32(deliveryCount);
        writer.Int64(readyAt);
        writer.Byte(redelivered ? (byte)1 : (byte)0);
        return writer.Position;
    }

    public static byte[] QueueDelete(string vhost, string queue, long segment)
    {
        var buffer = new byte[1 + Size(vhost) + Size(queue) + 8];
        var writer = new Writer(buffer);
        writer.Byte((byte)RecordKind.QueueDelete);
        writer.Name(vhost);
        writer.Name(queue);
        writer.Int64(segment);
        return buffer;
    }

    public static byte[] CleanStop() => [(byte)RecordKind.CleanStop];

    private static byte[] Build(RecordKind kind, (string Queue, LogPosition Position)? from, in MessageHeader header,
        IReadOnlyList<string> queues, ReadOnlySpan<byte> properties, ReadOnlySpan<byte> body)
    {
        var size = 1 + (from is { } f ? Size(f.Queue) + 16 : 0)
            + 1 + 8 + 8 + 8 + 1 + Size(header.Vhost) + Size(header.Exchange) + Size(header.RoutingKey) + 2
            + 4 + properties.Length + body.Length;
        // Indexed, not foreach: enumerating an IReadOnlyList boxes its enumerator on every message.
        for (var i = 0; i < queues.Count; i++)
        {
            size += Size(queues[i]);
        }
        var buffer = new byte[size];
        var writer = new Writer(buffer);
        writer.Byte((byte)kind);
        if (from is { } origin)
        {
            writer.Name(origin.Queue);
            writer.Int64(origin.Position.Segment);
            writer.Int64(origin.Position.Offset);
        }
        writer.Byte(header.Persistent ? (byte)1 : (byte)0);
        writer.Int64(header.PublishedAt);
        writer.Int64(header.ReadyAt);
        writer.Int64(header.ExpiresAfter);
        writer.Byte(header.Priority);
        writer.Name(header.Vhost);
        writer.Name(header.Exchange);
        writer.Name(header.RoutingKey);
        writer.UInt16((ushort)queues.Count);
        for (var i = 0; i < queues.Count; i++)
        {
            writer.Name(queues[i]);
        }
        writer.Int32(properties.Length);
        writer.Bytes(properties);
        writer.Bytes(body);
        return buffer;
    }

    private static int Size(string name) => 1 + Encoding.UTF8.GetByteCount(name);

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void Byte(byte value) => _buffer[Position++] = value;

        public void UInt16(ushort value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_buffer[Position..], value);
            Position += 2;
        }

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer[Position..], value);
            Position += 4;
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer[Position..], value);
            Position += 8;
        }

        public void VarInt(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer[Position++] = (byte)(value | 0x80);
                value >>= 7;
            }
            _buffer[Position++] = (byte)value;
        }

        public void Name(string value)
        {
            var length = Encoding.UTF8.GetBytes(value, _buffer[(Position + 1)..]);
            _buffer[Position] = (byte)length;
            Position += 1 + length;
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_buffer[Position..]);
            Position += value.Length;
        }
    }
}
