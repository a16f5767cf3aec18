using System.Buffers;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Amqp;

public class FrameWriterTests
{
    private static readonly MessageProperties FullProperties = new()
    {
        ContentType = "application/json",
        ContentEncoding = "gzip",
        Headers = MethodSamples.Table(),
        DeliveryMode = 2,
        Priority = 9,
        CorrelationId = "corr",
        ReplyTo = "amq.rabbitmq.reply-to",
        Expiration = "60000",
        MessageId = "m-1",
        Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        Type = "order.created",
        UserId = "shop",
        AppId = "web",
        ClusterId = "c1",
    };

    private static List<Frame> ReadAll(ReadOnlySequence<byte> input, uint frameMax)
    {
        var frames = new List<Frame>();
        while (FrameReader.TryReadFrame(ref input, frameMax, out var frame))
        {
            frames.Add(frame);
        }
        Assert.Equal(0, input.Length);
        return frames;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(4088, 1)]
    [InlineData(4089, 2)]
    [InlineData(4088 * 3, 3)]
    [InlineData(4088 * 3 + 1, 4)]
    public void A_body_is_split_into_frames_of_at_most_frame_max_less_eight(int bodySize, int expectedFrames)
    {
        var body = Enumerable.Range(0, bodySize).Select(i => (byte)(i * 7)).ToArray();
        var output = new ArrayBufferWriter<byte>();

        new FrameWriter().WriteContent(output, 5, new BasicDeliver("c", 1, false, "ex", "rk"), FullProperties, new ReadOnlySequence<byte>(body), 4096);

        var frames = ReadAll(new ReadOnlySequence<byte>(output.WrittenMemory), 4096);
        Assert.Equal(FrameType.Method, frames[0].Type);
        Assert.Equal(FrameType.Header, frames[1].Type);
        var bodies = frames.Skip(2).ToList();
        Assert.Equal(expectedFrames, bodies.Count);
        Assert.All(bodies, f => Assert.Equal(FrameType.Body, f.Type));
        Assert.All(bodies, f => Assert.InRange(f.Payload.Length, 1, 4088));
        Assert.All(frames, f => Assert.Equal(5, f.Channel));
        Assert.Equal(body, bodies.SelectMany(f => f.Payload.ToArray()));
        var header = ContentHeader.Decode(frames[1].Payload.ToArray());
        Assert.Equal((ushort)60, header.ClassId);
        Assert.Equal((ulong)bodySize, header.BodySize);
        Assert.Equal(FullProperties, header.Properties);
    }

    [Fact]
    public void A_body_given_in_many_segments_is_split_across_them()
    {
        var body = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.WriteBody(output, 1, Segments.Of(body, 333), 4096);

        Assert.Equal(body, ReadAll(new ReadOnlySequence<byte>(output.WrittenMemory), 4096).SelectMany(f => f.Payload.ToArray()));
    }

    [Fact]
    public void A_content_header_from_stored_properties_matches_one_from_decoded_ones()
    {
        var fromObject = new ArrayBufferWriter<byte>();
        new FrameWriter().WriteContentHeader(fromObject, 2, new ContentHeader(60, 1234, FullProperties));
        var fromBytes = new ArrayBufferWriter<byte>();
        FrameWriter.WriteContentHeader(fromBytes, 2, 60, 1234, PropertiesCodec.Encode(FullProperties));

        Assert.Equal(Convert.ToHexString(fromObject.WrittenSpan), Convert.ToHexString(fromBytes.WrittenSpan));
        var payload = ReadAll(new ReadOnlySequence<byte>(fromBytes.WrittenMemory), 4096).Single().Payload.ToArray();
        Assert.Equal(60, ContentHeader.ReadPrefix(payload, out var size, out var encoded));
        Assert.Equal(1234UL, size);
        Assert.Equal(PropertiesCodec.Encode(FullProperties), encoded.ToArray());
    }

    [Fact]
    public void A_content_header_in_one_byte_segments_decodes_in_full()
    {
        var output = new ArrayBufferWriter<byte>();
        new FrameWriter().WriteContentHeader(output, 1, new ContentHeader(60, 99, FullProperties));

        var frame = ReadAll(Segments.Of(output.WrittenSpan.ToArray(), 1), 4096).Single();

        Assert.False(frame.Payload.IsSingleSegment);
        Assert.Equal(new ContentHeader(60, 99, FullProperties), ContentHeader.Decode(frame.Payload));
    }

    [Fact]
    public void A_content_header_with_no_properties_is_fourteen_bytes()
    {
        var output = new ArrayBufferWriter<byte>();
        new FrameWriter().WriteContentHeader(output, 1, new ContentHeader(60, 5, MessageProperties.Empty));

        Assert.Equal("0200010000000E003C0000000000000000000500" + "00CE", Convert.ToHexString(output.WrittenSpan));
    }
}
