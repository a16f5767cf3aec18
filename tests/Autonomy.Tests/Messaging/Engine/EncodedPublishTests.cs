using System.Buffers.Binary;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

/// <summary>Publishing with the properties as a content header carries them, and the order pipelined publishes keep.</summary>
public class EncodedPublishTests
{
    /// <summary>Headers (one long string that is not UTF-8, as RabbitMQ.Client's byte arrays are) and delivery mode 2, encoded by hand.</summary>
    private static byte[] RawHeaderProperties()
    {
        byte[] value = [0xff, 0xfe, (byte)'A', 0xc3];
        var field = new List<byte> { 5 };
        field.AddRange("x-raw"u8.ToArray());
        field.Add((byte)'S');
        field.AddRange(BigEndian32(value.Length));
        field.AddRange(value);
        var bytes = new List<byte> { 0x30, 0x00 };
        bytes.AddRange(BigEndian32(field.Count));
        bytes.AddRange(field);
        bytes.Add(2);
        return [.. bytes];
    }

    private static byte[] BigEndian32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static ValueTask<PublishOutcome> Publish(TestBroker broker, string queue, ReadOnlyMemory<byte> properties, string body) =>
        broker.Vhost.PublishAsync("", queue, properties, TestBroker.Bytes(body), mandatory: false, skipFlowWait: false, CancellationToken.None);

    [Fact]
    public async Task Encoded_properties_come_back_byte_for_byte_even_a_header_that_is_not_utf8_and_after_a_restart()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        var properties = RawHeaderProperties();

        Assert.Equal(PublishOutcome.Routed, await Publish(broker, "q", properties, "one"));
        Assert.Equal(PublishOutcome.Routed, await Publish(broker, "q", properties, "two"));
        await using (var session = broker.Vhost.OpenSession())
        {
            var first = await session.GetAsync("q", noAck: true);
            Assert.Equal(properties, first!.EncodedProperties.ToArray());
            Assert.Equal(new byte[] { 0xff, 0xfe, (byte)'A', 0xc3 }, Assert.IsType<byte[]>(first.Properties.Headers!["x-raw"]));
            Assert.True(first.Properties.Persistent);
        }
        await broker.RestartAsync();

        await using var again = broker.Vhost.OpenSession();
        var second = await again.GetAsync("q", noAck: true);
        Assert.Equal("two", TestBroker.Text(second!));
        Assert.Equal(properties, second!.EncodedProperties.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x10 })]
    [InlineData(new byte[] { 0x10, 0x00 })]
    [InlineData(new byte[] { 0x00, 0x02 })]
    [InlineData(new byte[] { 0x00, 0x00, 0x07 })]
    [InlineData(new byte[] { 0x20, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00 })]
    [InlineData(new byte[] { 0x20, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x41 })]
    public async Task Malformed_properties_are_a_syntax_error_and_store_nothing(byte[] properties)
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");

        var error = await Assert.ThrowsAsync<BrokerException>(async () => await Publish(broker, "q", properties, "x"));

        Assert.Equal(ReplyCode.SyntaxError, error.Code);
        Assert.StartsWith("SYNTAX_ERROR - malformed message properties: ", error.Message);
        Assert.Equal(0, broker.Vhost.GetQueue("q").Messages);
    }

    [Fact]
    public async Task The_engine_acts_on_the_encoded_properties_it_peeks_at()
    {
        await using var broker = await TestBroker.StartAsync(TestBroker.FakeClock());
        await broker.QueueAsync("q", new FieldTable { ["x-max-priority"] = 5 });
        var low = PropertiesCodec.Encode(new MessageProperties { Priority = 1 });
        var high = PropertiesCodec.Encode(new MessageProperties { Priority = 4 });
        var expired = PropertiesCodec.Encode(new MessageProperties { Expiration = "1000" });

        await Publish(broker, "q", low, "low");
        await Publish(broker, "q", expired, "expired");
        await Publish(broker, "q", high, "high");
        await broker.AdvanceAsync(TimeSpan.FromSeconds(2));

        Assert.Equal(["high", "low"], await broker.DrainAsync("q"));
        var invalid = PropertiesCodec.Encode(new MessageProperties { Expiration = "-5" });
        var error = await Assert.ThrowsAsync<BrokerException>(async () => await Publish(broker, "q", invalid, "x"));
        Assert.Equal(ReplyCode.PreconditionFailed, error.Code);
        Assert.Contains("invalid expiration '-5'", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ten_thousand_pipelined_publishes_are_consumed_in_the_order_they_were_issued(bool mixed)
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        await broker.QueueAsync("copy");
        await broker.Vhost.BindQueueAsync("copy", "amq.fanout", "");
        await broker.Vhost.BindQueueAsync("q", "amq.fanout", "");
        var persistent = PropertiesCodec.Encode(TestBroker.Persistent);
        var transient = PropertiesCodec.Encode(MessageProperties.Empty);
        const int count = 10_000;

        var pending = new ValueTask<PublishOutcome>[count];
        for (var i = 0; i < count; i++)
        {
            var properties = mixed && i % 3 == 1 ? transient : persistent;
            pending[i] = broker.Vhost.PublishAsync("amq.fanout", "", properties, TestBroker.Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                mandatory: false, skipFlowWait: true, CancellationToken.None);
        }
        foreach (var publish in pending)
        {
            Assert.Equal(PublishOutcome.Routed, await publish);
        }

        var expected = Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expected, await broker.DrainAsync("q"));
        Assert.Equal(expected, await broker.DrainAsync("copy"));
    }

    [Fact]
    public async Task A_persistent_message_is_delivered_before_its_fsync_confirmed_only_after_it_and_keeps_its_order()
    {
        var disk = new GatedLogFileSystem();
        await using var broker = await TestBroker.StartAsync(files: disk);
        await broker.QueueAsync("q");
        await using var session = broker.Vhost.OpenSession();
        var sink = new CollectingSink();
        await session.ConsumeAsync("q", "", noAck: false, exclusive: false, arguments: null, sink);

        // Nothing in here waits for the log: with its fsyncs held, even writing a new segment's header waits.
        disk.HoldFlushes();
        Task<PublishOutcome> durable;
        Task<PublishOutcome> transient;
        try
        {
            durable = Publish(broker, "q", PropertiesCodec.Encode(TestBroker.Persistent), "first").AsTask();
            transient = Publish(broker, "q", PropertiesCodec.Encode(MessageProperties.Empty), "second").AsTask();

            // Consumers see both at once, in the order they were published; the persistent one's publisher waits.
            var first = await sink.NextAsync();
            Assert.Equal("first", TestBroker.Text(first));
            Assert.Equal("second", TestBroker.Text(await sink.NextAsync()));
            await Task.Delay(200);
            Assert.False(durable.IsCompleted);

            // Acked before its own record is durable: the ack lands after it in the log.
            session.Ack(first.DeliveryTag, multiple: false);
        }
        finally
        {
            disk.ReleaseFlushes();
        }
        Assert.Equal(PublishOutcome.Routed, await durable);
        Assert.Equal(PublishOutcome.Routed, await transient);
        await session.DisposeAsync();

        // After a restart the acked message stays settled and the transient one is gone.
        await broker.RestartAsync();
        Assert.Empty(await broker.DrainAsync("q"));
    }
}
