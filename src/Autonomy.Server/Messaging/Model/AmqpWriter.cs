using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Autonomy.Server.Messaging.Model;

/// <summary>Writes AMQP 0-9-1 primitive types (big-endian) into a buffer writer.</summary>
internal ref struct AmqpWriter(IBufferWriter<byte> destination)
{
    private readonly IBufferWriter<byte> _destination = destination;

    public readonly void Octet(byte value)
    {
        _destination.GetSpan(1)[0] = value;
        _destination.Advance(1);
    }

    public readonly void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination.GetSpan(2), value);
        _destination.Advance(2);
    }

    public readonly void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination.GetSpan(4), value);
        _destination.Advance(4);
    }

    public readonly void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_destination.GetSpan(8), value);
        _destination.Advance(8);
    }

    public readonly void Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination.GetSpan(value.Length));
        _destination.Advance(value.Length);
    }

    /// <summary>A short string: one length octet, so at most 255 bytes of UTF-8.</summary>
    public readonly void ShortString(string value, string what)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > byte.MaxValue)
        {
            throw new ArgumentException($"{what} is {length} bytes of UTF-8; AMQP short strings hold at most 255");
        }
        var span = _destination.GetSpan(1 + length);
        span[0] = (byte)length;
        Encoding.UTF8.GetBytes(value, span[1..]);
        _destination.Advance(1 + length);
    }

    /// <summary>A long string: a 32-bit length, then UTF-8.</summary>
    public readonly void LongString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = _destination.GetSpan(4 + length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)length);
        Encoding.UTF8.GetBytes(value, span[4..]);
        _destination.Advance(4 + length);
    }
}
