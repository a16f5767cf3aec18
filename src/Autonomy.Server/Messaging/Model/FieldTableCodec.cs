using System.Buffers;
using System.Text;

namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// AMQP 0-9-1 field tables and arrays with RabbitMQ's type letters: t bool, b sbyte, B byte, s short, u ushort,
/// I int, i uint, l long, f float, d double, D decimal, S long string, x byte array, T timestamp, F table,
/// A array, V void. (RabbitMQ's letters differ from the 0-9-1 specification's for the integer types; every
/// client that talks to RabbitMQ uses these.)
/// </summary>
public static class FieldTableCodec
{
    // Deeper nesting than any real message has: a bound, so hostile input cannot exhaust the stack.
    private const int MaxDepth = 64;

    /// <summary>Writes a table with its 32-bit length in front.</summary>
    public static void Write(FieldTable table, IBufferWriter<byte> destination)
    {
        var writer = new AmqpWriter(destination);
        WriteTable(ref writer, table, 0);
    }

    /// <summary>Reads a table (32-bit length, then fields) from the start of <paramref name="source"/>.</summary>
    public static FieldTable Read(ReadOnlySpan<byte> source, out int consumed)
    {
        var reader = new AmqpReader(source);
        var table = ReadTable(ref reader, 0);
        consumed = reader.Position;
        return table;
    }

    /// <summary>How many bytes <see cref="Write"/> produces for this table, its length field included.</summary>
    public static int SizeOf(FieldTable table) => TableSize(table, 0);

    internal static void WriteTable(ref AmqpWriter writer, FieldTable table, int depth)
    {
        writer.UInt32((uint)(TableSize(table, depth) - 4));
        foreach (var (key, value) in table)
        {
            writer.ShortString(key, $"the field name '{key}'");
            WriteValue(ref writer, key, value, depth);
        }
    }

    internal static FieldTable ReadTable(ref AmqpReader reader, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"field tables nested more than {MaxDepth} deep");
        }
        var length = reader.UInt32();
        var end = reader.Position + (long)length;
        var table = new FieldTable();
        while (reader.Position < end)
        {
            var key = reader.ShortString();
            var value = ReadValue(ref reader, depth);
            // A table repeating a name keeps the last value, as RabbitMQ's own parser does.
            table[key] = value;
        }
        return reader.Position == end ? table : throw new FormatException($"a field table's fields overrun its length of {length} bytes");
    }

    private static object? ReadValue(ref AmqpReader reader, int depth)
    {
        var type = (char)reader.Octet();
        switch (type)
        {
            case 't': return reader.Octet() != 0;
            case 'b': return (sbyte)reader.Octet();
            case 'B': return reader.Octet();
            case 's': return (short)reader.UInt16();
            case 'u': return reader.UInt16();
            case 'I': return (int)reader.UInt32();
            case 'i': return reader.UInt32();
            case 'l': return (long)reader.UInt64();
            case 'f': return BitConverter.Int32BitsToSingle((int)reader.UInt32());
            case 'd': return BitConverter.Int64BitsToDouble((long)reader.UInt64());
            case 'D': return ReadDecimal(ref reader);
            case 'S': return reader.LongStringOrBytes();
            case 'x':
                {
                    var length = reader.UInt32();
                    return length > int.MaxValue ? throw new FormatException($"a byte array of {length} bytes") : reader.Take((int)length).ToArray();
                }
            case 'T': return DateTimeOffset.FromUnixTimeSeconds(ToSeconds(reader.UInt64()));
            case 'F': return ReadTable(ref reader, depth + 1);
            case 'A': return ReadArray(ref reader, depth + 1);
            case 'V': return null;
            default: throw new FormatException($"unknown field type '{type}' (0x{(byte)type:x2}) at offset {reader.Position - 1}");
        }
    }

    private static List<object?> ReadArray(ref AmqpReader reader, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"field arrays nested more than {MaxDepth} deep");
        }
        var length = reader.UInt32();
        var end = reader.Position + (long)length;
        var list = new List<object?>();
        while (reader.Position < end)
        {
            list.Add(ReadValue(ref reader, depth));
        }
        return reader.Position == end ? list : throw new FormatException($"a field array's values overrun its length of {length} bytes");
    }

    private static decimal ReadDecimal(ref AmqpReader reader)
    {
        var scale = reader.Octet();
        var mantissa = (int)reader.UInt32();
        if (scale > 28)
        {
            throw new FormatException($"a decimal with scale {scale}; at most 28 is supported");
        }
        var magnitude = mantissa == int.MinValue ? 1u << 31 : (uint)Math.Abs(mantissa);
        return new decimal((int)magnitude, 0, 0, mantissa < 0, scale);
    }

    private static long ToSeconds(ulong value) =>
        value > 253402300799UL ? throw new FormatException($"a timestamp of {value} seconds is past the year 9999") : (long)value;

    private static void WriteValue(ref AmqpWriter writer, string key, object? value, int depth)
    {
        switch (value)
        {
            case null: writer.Octet((byte)'V'); break;
            case bool v: writer.Octet((byte)'t'); writer.Octet(v ? (byte)1 : (byte)0); break;
            case sbyte v: writer.Octet((byte)'b'); writer.Octet((byte)v); break;
            case byte v: writer.Octet((byte)'B'); writer.Octet(v); break;
            case short v: writer.Octet((byte)'s'); writer.UInt16((ushort)v); break;
            case ushort v: writer.Octet((byte)'u'); writer.UInt16(v); break;
            case int v: writer.Octet((byte)'I'); writer.UInt32((uint)v); break;
            case uint v: writer.Octet((byte)'i'); writer.UInt32(v); break;
            case long v: writer.Octet((byte)'l'); writer.UInt64((ulong)v); break;
            case float v: writer.Octet((byte)'f'); writer.UInt32((uint)BitConverter.SingleToInt32Bits(v)); break;
            case double v: writer.Octet((byte)'d'); writer.UInt64((ulong)BitConverter.DoubleToInt64Bits(v)); break;
            case decimal v:
                {
                    var (scale, mantissa) = SplitDecimal(key, v);
                    writer.Octet((byte)'D');
                    writer.Octet(scale);
                    writer.UInt32((uint)mantissa);
                    break;
                }
            case string v: writer.Octet((byte)'S'); writer.LongString(v); break;
            case byte[] v: writer.Octet((byte)'x'); writer.UInt32((uint)v.Length); writer.Bytes(v); break;
            case DateTimeOffset v: writer.Octet((byte)'T'); writer.UInt64((ulong)v.ToUnixTimeSeconds()); break;
            case FieldTable v: writer.Octet((byte)'F'); WriteTable(ref writer, v, depth + 1); break;
            case IReadOnlyList<object?> v:
                writer.Octet((byte)'A');
                writer.UInt32((uint)(ArraySize(key, v, depth + 1) - 4));
                foreach (var item in v)
                {
                    WriteValue(ref writer, key, item, depth + 1);
                }
                break;
            default: throw Unsupported(key, value);
        }
    }

    private static int TableSize(FieldTable table, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"field tables nested more than {MaxDepth} deep");
        }
        var size = 4;
        foreach (var (key, value) in table)
        {
            size += 1 + Encoding.UTF8.GetByteCount(key) + ValueSize(key, value, depth);
        }
        return size;
    }

    private static int ArraySize(string key, IReadOnlyList<object?> values, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"field arrays nested more than {MaxDepth} deep (in the field '{key}')");
        }
        var size = 4;
        foreach (var value in values)
        {
            size += ValueSize(key, value, depth);
        }
        return size;
    }

    private static int ValueSize(string key, object? value, int depth) => 1 + value switch
    {
        null => 0,
        bool or sbyte or byte => 1,
        short or ushort => 2,
        int or uint or float => 4,
        long or double or DateTimeOffset => 8,
        decimal => 5,
        string v => 4 + Encoding.UTF8.GetByteCount(v),
        byte[] v => 4 + v.Length,
        FieldTable v => TableSize(v, depth + 1),
        IReadOnlyList<object?> v => ArraySize(key, v, depth + 1),
        _ => throw Unsupported(key, value),
    };

    private static (byte Scale, int Mantissa) SplitDecimal(string key, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (byte)((bits[3] >> 16) & 0xff);
        var negative = bits[3] < 0;
        if (bits[1] != 0 || bits[2] != 0 || (uint)bits[0] > (negative ? 1u << 31 : int.MaxValue))
        {
            throw new ArgumentException($"the decimal {value} in the field '{key}' does not fit AMQP's 32-bit decimal");
        }
        return (scale, negative ? (int)-(long)(uint)bits[0] : bits[0]);
    }

    private static ArgumentException Unsupported(string key, object value) =>
        new($"the field '{key}' holds a {value.GetType().Name}, which AMQP field tables cannot carry: use bool, an integer type, float, double, decimal, string, byte[], DateTimeOffset, a FieldTable or a list of these");
}
