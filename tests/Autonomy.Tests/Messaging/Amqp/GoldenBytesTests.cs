using System.Buffers;
using Autonomy.Server.Messaging.Amqp;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>Whole frames checked octet by octet against the 0-9-1 specification's layout, written out by hand.</summary>
public class GoldenBytesTests
{
    private static byte[] Frame<T>(ushort channel, T method) where T : IAmqpMethod
    {
        var output = new ArrayBufferWriter<byte>();
        new FrameWriter().WriteMethod(output, channel, method);
        return output.WrittenSpan.ToArray();
    }

    private static void AssertGolden<T>(byte[] expected, ushort channel, T method) where T : IAmqpMethod
    {
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Frame(channel, method)));
        var input = new ReadOnlySequence<byte>(expected);
        Assert.True(FrameReader.TryReadFrame(ref input, 4096, out var frame));
        Assert.Equal(FrameType.Method, frame.Type);
        Assert.Equal(channel, frame.Channel);
        Assert.Equal(method, MethodCodec.Decode(frame.Payload));
    }

    [Fact]
    public void Connection_tune()
    {
        byte[] expected =
        [
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, // method frame, channel 0, 12 bytes
            0x00, 0x0A, 0x00, 0x1E, // connection (10), tune (30)
            0x07, 0xFF, // channel-max 2047
            0x00, 0x02, 0x00, 0x00, // frame-max 131072
            0x00, 0x3C, // heartbeat 60
            0xCE,
        ];
        AssertGolden(expected, 0, new ConnectionTune(2047, 131072, 60));
    }

    [Fact]
    public void Basic_publish_with_mandatory()
    {
        byte[] expected =
        [
            0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0D, // method frame, channel 1, 13 bytes
            0x00, 0x3C, 0x00, 0x28, // basic (60), publish (40)
            0x00, 0x00, // reserved ticket
            0x02, (byte)'e', (byte)'x', // exchange
            0x02, (byte)'r', (byte)'k', // routing-key
            0x01, // mandatory is bit 0, immediate bit 1
            0xCE,
        ];
        AssertGolden(expected, 1, new BasicPublish("ex", "rk", Mandatory: true, Immediate: false));
    }

    [Fact]
    public void Basic_deliver_redelivered()
    {
        byte[] expected =
        [
            0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x12, // method frame, channel 3, 18 bytes
            0x00, 0x3C, 0x00, 0x3C, // basic (60), deliver (60)
            0x01, (byte)'c', // consumer-tag
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x05, // delivery-tag 261
            0x01, // redelivered
            0x00, // exchange "" (the default exchange)
            0x01, (byte)'q', // routing-key
            0xCE,
        ];
        AssertGolden(expected, 3, new BasicDeliver("c", 261, Redelivered: true, "", "q"));
    }

    [Theory]
    [InlineData(true, true, true, true, true, 0x1F)]
    [InlineData(true, false, true, false, true, 0x15)]
    [InlineData(false, true, false, true, false, 0x0A)]
    [InlineData(false, false, false, false, false, 0x00)]
    public void Queue_declare_packs_its_five_bits_into_one_octet(bool passive, bool durable, bool exclusive, bool autoDelete, bool noWait, byte bits)
    {
        byte[] expected =
        [
            0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0D, // method frame, channel 1, 13 bytes
            0x00, 0x32, 0x00, 0x0A, // queue (50), declare (10)
            0x00, 0x00, // reserved ticket
            0x01, (byte)'q', // queue
            bits, // passive 0, durable 1, exclusive 2, auto-delete 3, no-wait 4
            0x00, 0x00, 0x00, 0x00, // arguments: empty table
            0xCE,
        ];
        AssertGolden(expected, 1, new QueueDeclare("q", passive, durable, exclusive, autoDelete, noWait, new()));
    }

    [Fact]
    public void Heartbeat()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteHeartbeat(output);
        Assert.Equal("08000000000000CE", Convert.ToHexString(output.WrittenSpan));
    }
}
