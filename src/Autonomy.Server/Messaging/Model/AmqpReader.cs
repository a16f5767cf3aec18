using System.Buffers.Binary;
using System.Text;

namespace Autonomy.Server.Messaging.Model;

/// <summary>Reads AMQP 0-9-1 primitive types (big-endian); anything cut short is a <see cref="FormatException"/>.</summary>
internal ref struct AmqpReader(ReadOnlySpan<byte> source)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly ReadOnlySpan<byte> _source = source;

    public int Position { get; private set; }

    public readonly bool AtEnd => Position >= _source.Length;

    public byte Octet() => Take(1)[0];

    public ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    public ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > _source.Length - Position)
        {
            throw new FormatException($"the data ends {length - (_source.Length - Position)} bytes short at offset {Position}");
        }
        var span = _source.Slice(Position, length);
        Position += length;
        return span;
    }

    /// <summary>A short string; bytes that are not UTF-8 are replaced rather than refused (names are text).</summary>
    public string ShortString() => Encoding.UTF8.GetString(Take(Octet()));

    /// <summary>
    /// A long string as text when it is UTF-8, else as its bytes: AMQP long strings are bytes, and some clients
    /// (RabbitMQ.Client) send byte arrays that way.
    /// </summary>
    public object LongStringOrBytes()
    {
        var length = UInt32();
        if (length > int.MaxValue)
        {
            throw new FormatException($"a long string of {length} bytes at offset {Position}");
        }
        var bytes = Take((int)length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return bytes.ToArray();
        }
    }
}
