using System.Buffers;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Amqp;

public class FrameReaderTests
{
    private static byte[] Frames(params IAmqpMethod[] methods)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new FrameWriter();
        foreach (var method in methods)
        {
            writer.WriteMethod(output, 1, method);
        }
        FrameWriter.WriteHeartbeat(output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Frames_cut_into_one_byte_segments_read_as_whole_frames()
    {
        IAmqpMethod[] methods = [new BasicPublish("ex", "rk", true, false), new QueueDeclare("q", false, true, false, false, false, MethodSamples.Table()), new BasicAck(9, true)];
        var input = Segments.Of(Frames(methods), 1);

        var read = new List<Frame>();
        while (FrameReader.TryReadFrame(ref input, 4096, out var frame))
        {
            read.Add(frame);
        }

        Assert.Equal(0, input.Length);
        Assert.Equal([FrameType.Method, FrameType.Method, FrameType.Method, FrameType.Heartbeat], read.Select(f => f.Type));
        Assert.Equal(methods, read.Take(3).Select(f => MethodCodec.Decode(f.Payload)));
        Assert.False(read[1].Payload.IsSingleSegment);
    }

    [Fact]
    public void A_frame_arriving_a_byte_at_a_time_is_read_only_once_it_is_whole()
    {
        var bytes = Frames(new BasicAck(1, false));
        var firstFrameLength = bytes.Length - 8;
        for (var available = 0; available < firstFrameLength; available++)
        {
            var partial = new ReadOnlySequence<byte>(bytes, 0, available);
            Assert.False(FrameReader.TryReadFrame(ref partial, 4096, out _));
            Assert.Equal(available, partial.Length);
        }
        var whole = new ReadOnlySequence<byte>(bytes, 0, firstFrameLength);
        Assert.True(FrameReader.TryReadFrame(ref whole, 4096, out var frame));
        Assert.Equal(new BasicAck(1, false), MethodCodec.Decode(frame.Payload));
    }

    [Fact]
    public void A_wrong_end_octet_is_a_frame_error()
    {
        var bytes = Frames(new BasicAck(1, false));
        bytes[bytes.Length - 9] = 0x00;
        var input = new ReadOnlySequence<byte>(bytes);

        var error = Assert.Throws<AmqpFrameException>(() => FrameReader.TryReadFrame(ref input, 4096, out _));

        Assert.Equal(ReplyCode.FrameError, error.Code);
        Assert.StartsWith("FRAME_ERROR - ", error.Message);
        Assert.Contains("0xCE", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(0xCE)]
    public void An_unknown_frame_type_is_a_frame_error(byte type)
    {
        var bytes = Frames(new BasicAck(1, false));
        bytes[0] = type;
        var input = new ReadOnlySequence<byte>(bytes);

        var error = Assert.Throws<AmqpFrameException>(() => FrameReader.TryReadFrame(ref input, 4096, out _));

        Assert.Equal(ReplyCode.FrameError, error.Code);
        Assert.Contains($"unknown frame type {type}", error.Message);
    }

    [Fact]
    public void A_frame_over_frame_max_is_refused_from_its_header_alone()
    {
        // Only the header has arrived: the reader must not wait for 4089 bytes it will refuse anyway.
        byte[] header = [0x03, 0x00, 0x01, 0x00, 0x00, 0x0F, 0xF9];
        var input = new ReadOnlySequence<byte>(header);

        var error = Assert.Throws<AmqpFrameException>(() => FrameReader.TryReadFrame(ref input, 4096, out _));

        Assert.Equal(ReplyCode.FrameError, error.Code);
        Assert.Contains("4089", error.Message);
        Assert.Contains("4096", error.Message);
    }

    [Fact]
    public void A_frame_of_exactly_frame_max_is_accepted()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteBody(output, 1, new byte[4096 - 8], 4096);
        var input = new ReadOnlySequence<byte>(output.WrittenMemory);

        Assert.Equal(4096, output.WrittenCount);
        Assert.True(FrameReader.TryReadFrame(ref input, 4096, out var frame));
        Assert.Equal(4088, frame.Payload.Length);
    }

    [Fact]
    public void The_protocol_header_is_accepted_even_in_pieces()
    {
        var bytes = "AMQP\0\0\u0009\u0001"u8.ToArray().Concat(Frames(new BasicAck(1, false))).ToArray();
        for (var available = 0; available < 8; available++)
        {
            var partial = new ReadOnlySequence<byte>(bytes, 0, available);
            Assert.False(ProtocolHeader.TryRead(ref partial, out _));
        }
        var input = Segments.Of(bytes, 3);

        Assert.True(ProtocolHeader.TryRead(ref input, out var accepted));
        Assert.True(accepted);
        Assert.True(FrameReader.TryReadFrame(ref input, 4096, out _));
    }

    [Theory]
    [InlineData("AMQP\0\0\u0009\u0000")] // 0-9-0
    [InlineData("AMQP\u0001\u0001\u0000\u000A")] // 0-10
    [InlineData("AMQP\0\u0001\0\0")] // AMQP 1.0
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("AMQX")] // refused before all eight octets are in
    public void Any_other_header_is_refused_and_answered_with_ours(string sent)
    {
        var input = new ReadOnlySequence<byte>(System.Text.Encoding.Latin1.GetBytes(sent));

        Assert.True(ProtocolHeader.TryRead(ref input, out var accepted));
        Assert.False(accepted);
        var answer = new ArrayBufferWriter<byte>();
        ProtocolHeader.Write(answer);
        Assert.Equal("414D515000000901", Convert.ToHexString(answer.WrittenSpan));
    }
}
