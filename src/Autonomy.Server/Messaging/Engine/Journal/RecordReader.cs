using System.Buffers.Binary;
using System.Text;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>Reads what <see cref="RecordWriter"/> wrote; a record cut short is an <see cref="InvalidDataException"/>.</summary>
internal ref struct RecordReader(ReadOnlySpan<byte> record)
{
    private readonly ReadOnlySpan<byte> _record = record;

    public int Position { get; private set; }

    public readonly int Remaining => _record.Length - Position;

    public byte Byte() => Take(1)[0];

    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong VarInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("a varint longer than 64 bits in a broker log record");
    }

    public string Name() => Encoding.UTF8.GetString(Take(Byte()));

    public void SkipName() => Take(Byte());

    public ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > Remaining)
        {
            throw new InvalidDataException($"a broker log record ends {length - Remaining} bytes short at offset {Position}");
        }
        var span = _record.Slice(Position, length);
        Position += length;
        return span;
    }

    /// <summary>Steps over a message part's fixed fields and queue names without decoding them; leaves the reader at the properties' length.</summary>
    public void SkipMessageHeader()
    {
        Take(1 + 8 + 8 + 8 + 1);
        SkipName();
        SkipName();
        SkipName();
        var count = UInt16();
        for (var i = 0; i < count; i++)
        {
            SkipName();
        }
    }

    /// <summary>Reads a message part's fixed fields and queue names; leaves the reader at the properties' length.</summary>
    public MessageHeader MessageHeader(List<string>? queues)
    {
        var persistent = Byte() != 0;
        var publishedAt = Int64();
        var readyAt = Int64();
        var expiresAfter = Int64();
        var priority = Byte();
        var vhost = Name();
        var exchange = Name();
        var routingKey = Name();
        var count = UInt16();
        for (var i = 0; i < count; i++)
        {
            var queue = Name();
            queues?.Add(queue);
        }
        return new MessageHeader(vhost, exchange, routingKey, persistent, publishedAt, readyAt, expiresAfter, priority);
    }
}
