using System.Buffers;
using Autonomy.Server.Messaging.Amqp;

namespace Autonomy.Tests.Messaging.Amqp;

public class MethodCodecTests
{
    public static TheoryData<int> SampleIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < MethodSamples.All.Count; i++)
        {
            data.Add(i);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Every_method_survives_a_round_trip_with_every_argument_set(int index)
    {
        var method = MethodSamples.All[index];
        var bytes = MethodCodec.Encode(method);

        var decoded = MethodCodec.Decode(bytes);

        Assert.IsType(method.GetType(), decoded);
        Assert.Equivalent(method, decoded, strict: true);
        Assert.Equal(bytes, MethodCodec.Encode(decoded));
        Assert.Equal(((ushort)(bytes[0] << 8 | bytes[1]), (ushort)(bytes[2] << 8 | bytes[3])), (decoded.ClassId, decoded.MethodId));
    }

    [Fact]
    public void The_samples_cover_every_method_the_protocol_needs()
    {
        var covered = MethodSamples.All.Select(m => m.Name).Distinct().Order().ToArray();
        string[] required =
        [
            "connection.start", "connection.start-ok", "connection.secure", "connection.secure-ok", "connection.tune",
            "connection.tune-ok", "connection.open", "connection.open-ok", "connection.close", "connection.close-ok",
            "connection.blocked", "connection.unblocked", "channel.open", "channel.open-ok", "channel.flow",
            "channel.flow-ok", "channel.close", "channel.close-ok", "exchange.declare", "exchange.declare-ok",
            "exchange.delete", "exchange.delete-ok", "exchange.bind", "exchange.bind-ok", "exchange.unbind",
            "exchange.unbind-ok", "queue.declare", "queue.declare-ok", "queue.bind", "queue.bind-ok", "queue.unbind",
            "queue.unbind-ok", "queue.purge", "queue.purge-ok", "queue.delete", "queue.delete-ok", "basic.qos",
            "basic.qos-ok", "basic.consume", "basic.consume-ok", "basic.cancel", "basic.cancel-ok", "basic.publish",
            "basic.return", "basic.deliver", "basic.get", "basic.get-ok", "basic.get-empty", "basic.ack", "basic.reject",
            "basic.recover-async", "basic.recover", "basic.recover-ok", "basic.nack", "confirm.select",
            "confirm.select-ok", "tx.select", "tx.select-ok", "tx.commit", "tx.commit-ok", "tx.rollback", "tx.rollback-ok",
        ];
        Assert.Equal(required.Order(), covered);
    }

    [Theory]
    [InlineData(10, 10, 11)] // connection.start / start-ok
    [InlineData(40, 30, 31)] // exchange.bind / bind-ok (RabbitMQ's extension)
    [InlineData(40, 40, 51)] // exchange.unbind / unbind-ok: RabbitMQ numbers the reply 51
    [InlineData(50, 50, 51)] // queue.unbind / unbind-ok
    [InlineData(60, 120, 0)] // basic.nack (RabbitMQ's extension)
    [InlineData(85, 10, 11)] // confirm.select / select-ok
    [InlineData(10, 60, 61)] // connection.blocked / unblocked
    public void Ids_are_the_ones_RabbitMQ_uses(ushort classId, ushort methodId, ushort replyId)
    {
        var ids = MethodSamples.All.Select(m => (m.ClassId, m.MethodId)).ToHashSet();
        Assert.Contains((classId, methodId), ids);
        if (replyId != 0)
        {
            Assert.Contains((classId, replyId), ids);
        }
    }

    [Fact]
    public void A_default_method_still_encodes_with_empty_strings_and_tables()
    {
        var decoded = Assert.IsType<QueueDeclare>(MethodCodec.Decode(MethodCodec.Encode(default(QueueDeclare))));

        Assert.Equal("", decoded.Queue);
        Assert.Empty(decoded.Arguments);
    }

    [Fact]
    public void A_payload_across_many_segments_decodes_like_a_contiguous_one()
    {
        var method = new BasicDeliver("ctag", 42, true, "ex", "rk");
        var bytes = MethodCodec.Encode(method);

        Assert.Equal(method, MethodCodec.Decode(Segments.Of(bytes, 1)));
    }

    [Fact]
    public void Hot_path_methods_decode_into_their_struct_without_the_table()
    {
        var bytes = MethodCodec.Encode(new BasicPublish("orders", "created", true, false));

        Assert.Equal((BasicPublish.Class, BasicPublish.Method), MethodCodec.PeekIds(bytes));
        Assert.Equal(new BasicPublish("orders", "created", true, false), MethodCodec.DecodeArguments<BasicPublish>(bytes, BasicPublish.Read));
    }

    [Fact]
    public void Encoding_a_short_string_over_255_bytes_is_refused_naming_the_argument()
    {
        var error = Assert.Throws<ArgumentException>(() => MethodCodec.Encode(new BasicPublish(new string('x', 256), "", false, false)));

        Assert.Contains("basic.publish exchange", error.Message);
    }

    [Fact]
    public void An_ack_encodes_and_decodes_without_allocating()
    {
        var bytes = MethodCodec.Encode(new BasicAck(7, true));
        MethodCodec.DecodeArguments<BasicAck>(bytes, BasicAck.Read);
        var buffer = new ArrayBufferWriter<byte>(64);
        MethodCodec.Encode(new BasicAck(7, true), buffer);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            MethodCodec.DecodeArguments<BasicAck>(bytes, BasicAck.Read);
            buffer.ResetWrittenCount();
            MethodCodec.Encode(new BasicAck(7, true), buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
