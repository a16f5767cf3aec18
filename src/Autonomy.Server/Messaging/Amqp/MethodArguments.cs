using System.Text;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>The argument types the primitive reader and writer leave to the method codec.</summary>
internal static class MethodArguments
{
    /// <summary>A long string meant as text (mechanisms, locales); bytes that are not UTF-8 are replaced.</summary>
    public static string LongString(ref AmqpReader reader) => Encoding.UTF8.GetString(Take(ref reader));

    /// <summary>A long string meant as bytes: a SASL response may be any octets (AMQPLAIN's is a table).</summary>
    public static byte[] LongBytes(ref AmqpReader reader) => Take(ref reader).ToArray();

    public static void SkipLongString(ref AmqpReader reader) => Take(ref reader);

    public static void WriteLongBytes(ref AmqpWriter writer, byte[]? value)
    {
        writer.UInt32((uint)(value?.Length ?? 0));
        writer.Bytes(value);
    }

    /// <summary>A missing table is an empty one, so a default-constructed method still encodes.</summary>
    public static void WriteTable(ref AmqpWriter writer, FieldTable? table)
    {
        if (table is null)
        {
            writer.UInt32(0);
        }
        else
        {
            FieldTableCodec.WriteTable(ref writer, table, 0);
        }
    }

    private static ReadOnlySpan<byte> Take(ref AmqpReader reader)
    {
        var length = reader.UInt32();
        return length > int.MaxValue
            ? throw new FormatException($"a long string of {length} bytes at offset {reader.Position - 4}")
            : reader.Take((int)length);
    }
}
