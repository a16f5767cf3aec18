using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Amqp;

public class MalformedInputTests
{
    private static AmqpFrameException Refused(byte[] payload) => Assert.Throws<AmqpFrameException>(() => MethodCodec.Decode(payload));

    [Fact]
    public void Truncated_arguments_are_a_syntax_error_naming_the_method()
    {
        var bytes = MethodCodec.Encode(new QueueDeclare("orders", false, true, false, false, false, MethodSamples.Table()));
        for (var length = 4; length < bytes.Length; length++)
        {
            var error = Refused(bytes[..length]);
            Assert.Equal(ReplyCode.SyntaxError, error.Code);
            Assert.Equal((50, 10), (error.ClassId, error.MethodId));
            Assert.StartsWith("SYNTAX_ERROR - cannot decode the arguments of queue method 10", error.Message);
        }
    }

    [Fact]
    public void A_short_string_length_past_the_end_is_a_syntax_error()
    {
        // basic.publish: ticket, then an exchange name claiming 200 bytes where 2 follow.
        byte[] payload = [0x00, 0x3C, 0x00, 0x28, 0x00, 0x00, 200, (byte)'e', (byte)'x'];

        var error = Refused(payload);

        Assert.Equal(ReplyCode.SyntaxError, error.Code);
        Assert.Equal((60, 40), (error.ClassId, error.MethodId));
    }

    [Fact]
    public void A_table_length_past_the_end_is_a_syntax_error()
    {
        var bytes = MethodCodec.Encode(new ExchangeDeclare("ex", "topic", false, true, false, false, false, new()));
        bytes[^1] = 0x10; // the empty table now claims 16 bytes that are not there

        Assert.Equal(ReplyCode.SyntaxError, Refused(bytes).Code);
    }

    [Fact]
    public void Bytes_after_the_last_argument_are_a_syntax_error()
    {
        var bytes = MethodCodec.Encode(new BasicAck(3, false)).Append((byte)0).ToArray();

        var error = Refused(bytes);

        Assert.Equal(ReplyCode.SyntaxError, error.Code);
        Assert.Contains("follow the last argument", error.Message);
    }

    [Fact]
    public void An_unknown_method_is_not_implemented_naming_its_class_and_id()
    {
        var error = Refused([0x00, 0x3C, 0x03, 0xE7]);

        Assert.Equal(ReplyCode.NotImplemented, error.Code);
        Assert.Equal((60, 999), (error.ClassId, error.MethodId));
        Assert.Equal("NOT_IMPLEMENTED - unknown method 999 in class basic (60)", error.Message);
    }

    [Fact]
    public void An_unknown_class_is_not_implemented_naming_it()
    {
        var error = Refused([0x00, 0x1E, 0x00, 0x0A]); // class 30 (access) is gone from 0-9-1

        Assert.Equal(ReplyCode.NotImplemented, error.Code);
        Assert.Equal("NOT_IMPLEMENTED - unknown class 30 (method 10)", error.Message);
    }

    [Fact]
    public void A_method_frame_too_short_for_its_ids_is_a_frame_error()
    {
        Assert.Equal(ReplyCode.FrameError, Refused([0x00, 0x3C, 0x00]).Code);
        Assert.Equal(ReplyCode.FrameError, Refused([]).Code);
    }

    [Fact]
    public void A_content_header_cut_short_or_with_a_weight_is_refused()
    {
        Assert.Equal(ReplyCode.FrameError, Assert.Throws<AmqpFrameException>(() => ContentHeader.Decode([0x00, 0x3C, 0x00])).Code);
        byte[] weighted = [0x00, 0x3C, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 5, 0x00, 0x00];
        Assert.Equal(ReplyCode.SyntaxError, Assert.Throws<AmqpFrameException>(() => ContentHeader.Decode(weighted)).Code);
        byte[] badProperty = [0x00, 0x3C, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 5, 0x80, 0x00, 0x09, (byte)'a'];
        Assert.Equal(ReplyCode.SyntaxError, Assert.Throws<AmqpFrameException>(() => ContentHeader.Decode(badProperty)).Code);
    }
}
