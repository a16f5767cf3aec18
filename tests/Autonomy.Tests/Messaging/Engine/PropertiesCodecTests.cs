using System.Buffers;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

public class PropertiesCodecTests
{
    private static FieldTable EveryType() => new()
    {
        ["bool"] = true,
        ["sbyte"] = (sbyte)-5,
        ["byte"] = (byte)250,
        ["short"] = (short)-30000,
        ["ushort"] = (ushort)60000,
        ["int"] = -2_000_000_000,
        ["uint"] = 4_000_000_000u,
        ["long"] = -9_000_000_000_000L,
        ["float"] = 1.5f,
        ["double"] = -2.25e100,
        ["decimal"] = -123.4567m,
        ["string"] = "héllo wörld",
        ["bytes"] = new byte[] { 0, 1, 2, 255 },
        ["timestamp"] = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        ["table"] = new FieldTable { ["inner"] = 1, ["deeper"] = new FieldTable { ["x"] = "y" } },
        ["array"] = new List<object?> { 1, "two", null, new FieldTable { ["three"] = 3L }, new List<object?> { false } },
        ["void"] = null,
    };

    private static MessageProperties Full() => new()
    {
        ContentType = "application/json",
        ContentEncoding = "gzip",
        Headers = EveryType(),
        DeliveryMode = 2,
        Priority = 7,
        CorrelationId = "corr-1",
        ReplyTo = "amq.rabbitmq.reply-to",
        Expiration = "60000",
        MessageId = "msg-1",
        Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000),
        Type = "order.created",
        UserId = "guest",
        AppId = "shop",
        ClusterId = "c1",
    };

    [Fact]
    public void Every_property_and_every_field_type_survives_a_round_trip()
    {
        var properties = Full();
        var decoded = PropertiesCodec.Decode(PropertiesCodec.Encode(properties));

        Assert.Equal(properties, decoded);
        Assert.True(decoded.Persistent);
        // Equality of tables ignores order, so the order is checked on its own: AMQP tables are lists.
        Assert.Equal(properties.Headers!.Keys, decoded.Headers!.Keys);
        foreach (var (key, value) in properties.Headers)
        {
            Assert.Equal(value?.GetType(), decoded.Headers[key]?.GetType());
        }
    }

    [Fact]
    public void Peek_reads_the_fields_the_broker_acts_on_in_place()
    {
        var properties = Full();
        var encoded = PropertiesCodec.Encode(properties);

        var view = PropertiesCodec.Peek(encoded);

        Assert.True(view.Persistent);
        Assert.Equal((byte)7, view.Priority);
        Assert.Equal("60000"u8.ToArray(), view.Expiration.ToArray());
        Assert.Equal("msg-1", view.MessageIdText);
        Assert.Equal(1_600_000_000UL, view.Timestamp);
        Assert.Equal(properties.Headers, view.ReadHeaders());
        var bare = PropertiesCodec.Peek(PropertiesCodec.Encode(MessageProperties.Empty));
        Assert.False(bare.HasHeaders || bare.HasExpiration || bare.HasMessageId || bare.Persistent);
        Assert.Null(bare.Priority);
        Assert.Null(bare.ReadHeaders());
        Assert.Null(bare.MessageIdText);
    }

    [Fact]
    public void Each_field_type_is_written_with_RabbitMQs_type_letter()
    {
        var letters = new Dictionary<string, char>
        {
            ["bool"] = 't', ["sbyte"] = 'b', ["byte"] = 'B', ["short"] = 's', ["ushort"] = 'u', ["int"] = 'I',
            ["uint"] = 'i', ["long"] = 'l', ["float"] = 'f', ["double"] = 'd', ["decimal"] = 'D', ["string"] = 'S',
            ["bytes"] = 'x', ["timestamp"] = 'T', ["table"] = 'F', ["array"] = 'A', ["void"] = 'V',
        };
        var buffer = new ArrayBufferWriter<byte>();
        FieldTableCodec.Write(EveryType(), buffer);
        var bytes = buffer.WrittenSpan;

        Assert.Equal((uint)(bytes.Length - 4), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes));
        var position = 4;
        foreach (var (key, letter) in letters)
        {
            Assert.Equal(key.Length, bytes[position]);
            Assert.Equal(key, System.Text.Encoding.UTF8.GetString(bytes.Slice(position + 1, key.Length)));
            Assert.Equal(letter, (char)bytes[position + 1 + key.Length]);
            // Step over the value by re-reading the table up to here: simpler to re-encode the single field.
            var single = new ArrayBufferWriter<byte>();
            FieldTableCodec.Write(new FieldTable { [key] = EveryType()[key] }, single);
            position += single.WrittenCount - 4;
        }
        Assert.Equal(bytes.Length, position);
        Assert.Equal(bytes.Length, FieldTableCodec.SizeOf(EveryType()));
    }

    [Fact]
    public void Integers_are_big_endian_and_the_flag_word_names_the_present_properties()
    {
        var bytes = PropertiesCodec.Encode(new MessageProperties { DeliveryMode = 2, Headers = new FieldTable { ["n"] = 258 } });

        // delivery-mode is bit 12, headers bit 13.
        Assert.Equal(new byte[] { 0x30, 0x00 }, bytes[..2]);
        // table length 7 = name (1+1) + 'I' + 4 bytes, then n = 0x00000102, then the delivery mode.
        Assert.Equal(new byte[] { 0, 0, 0, 7, 1, (byte)'n', (byte)'I', 0, 0, 1, 2, 2 }, bytes[2..]);
    }

    [Fact]
    public void Empty_properties_are_a_zero_flag_word()
    {
        Assert.Equal(new byte[] { 0, 0 }, PropertiesCodec.Encode(MessageProperties.Empty));
        Assert.Equal(MessageProperties.Empty, PropertiesCodec.Decode([0, 0]));
    }

    [Fact]
    public void A_long_string_that_is_not_utf8_is_read_as_bytes()
    {
        // RabbitMQ.Client sends byte arrays as long strings ('S').
        byte[] table = [0, 0, 0, 9, 1, (byte)'k', (byte)'S', 0, 0, 0, 2, 0xff, 0xfe];
        var decoded = FieldTableCodec.Read(table, out var consumed);

        Assert.Equal(table.Length, consumed);
        Assert.Equal(new byte[] { 0xff, 0xfe }, Assert.IsType<byte[]>(decoded["k"]));
    }

    [Theory]
    [InlineData(new byte[] { 0x20 })]                                          // flag word cut short
    [InlineData(new byte[] { 0x80, 0x00, 5, (byte)'a' })]                     // content type longer than the data
    [InlineData(new byte[] { 0x20, 0x00, 0, 0, 0, 3, 1, (byte)'k', (byte)'Z' })] // unknown field type
    [InlineData(new byte[] { 0x10, 0x00, 2, 9 })]                               // a byte after the last property
    [InlineData(new byte[] { 0x00, 0x01, 0x80, 0x00 })]                         // a continuation word naming a 15th property
    public void Malformed_properties_are_a_format_error(byte[] data)
    {
        Assert.Throws<FormatException>(() => PropertiesCodec.Decode(data));
    }

    [Fact]
    public void A_table_whose_fields_overrun_its_length_is_a_format_error()
    {
        byte[] table = [0, 0, 0, 2, 1, (byte)'k', (byte)'t', 1];
        Assert.Throws<FormatException>(() => FieldTableCodec.Read(table, out _));
    }

    [Fact]
    public void Nesting_beyond_the_bound_is_refused_not_a_stack_overflow()
    {
        // 10,000 nested arrays, each claiming the rest of the data.
        const int depth = 10_000;
        var data = new byte[4 + 2 + 1 + (depth * 5)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data, (uint)(data.Length - 4));
        data[4] = 1;
        data[5] = (byte)'k';
        for (var i = 0; i < depth; i++)
        {
            var at = 6 + (i * 5);
            data[at] = (byte)'A';
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(at + 1), (uint)(data.Length - at - 5));
        }
        Assert.Throws<FormatException>(() => FieldTableCodec.Read(data, out _));
    }

    [Fact]
    public void Values_AMQP_cannot_carry_are_refused_with_the_field_name()
    {
        var error = Assert.Throws<ArgumentException>(() => PropertiesCodec.Encode(new MessageProperties { Headers = new FieldTable { ["when"] = Guid.NewGuid() } }));
        Assert.Contains("'when'", error.Message);

        error = Assert.Throws<ArgumentException>(() => PropertiesCodec.Encode(new MessageProperties { Headers = new FieldTable { ["big"] = 1e20m } }));
        Assert.Contains("'big'", error.Message);

        error = Assert.Throws<ArgumentException>(() => PropertiesCodec.Encode(new MessageProperties { CorrelationId = new string('c', 256) }));
        Assert.Contains("correlation_id", error.Message);
    }

    [Fact]
    public void Decimals_keep_sign_and_scale()
    {
        foreach (var value in new[] { 0m, 1.5m, -1.5m, 2147483647m, -2147483648m, 0.0000001m })
        {
            var decoded = PropertiesCodec.Decode(PropertiesCodec.Encode(new MessageProperties { Headers = new FieldTable { ["d"] = value } }));
            Assert.Equal(value, decoded.Headers!["d"]);
        }
    }
}
