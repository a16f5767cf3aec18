using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

public class BasicDeliveryTests
{
    [Fact]
    public async Task A_published_message_is_got_once_and_gone_after_its_ack()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("orders");

        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("orders", "one"));
        Assert.Equal(1, broker.Vhost.GetQueue("orders").Ready);

        await using var session = broker.Vhost.OpenSession();
        var delivery = await session.GetAsync("orders", noAck: false);
        Assert.NotNull(delivery);
        Assert.Equal("one", TestBroker.Text(delivery));
        Assert.Equal(1UL, delivery.DeliveryTag);
        Assert.False(delivery.Redelivered);
        Assert.Equal("", delivery.Exchange);
        Assert.Equal("orders", delivery.RoutingKey);
        Assert.Equal(0, delivery.MessageCount);
        Assert.Equal((0L, 1L), (broker.Vhost.GetQueue("orders").Ready, broker.Vhost.GetQueue("orders").Unacked));

        session.Ack(delivery.DeliveryTag, multiple: false);
        Assert.Equal(0, broker.Vhost.GetQueue("orders").Messages);
        Assert.Null(await session.GetAsync("orders", noAck: false));
    }

    [Fact]
    public async Task Publishing_to_a_queue_nobody_declared_is_unroutable()
    {
        await using var broker = await TestBroker.StartAsync();
        Assert.Equal(PublishOutcome.Unroutable, await broker.PublishAsync("nowhere", "lost"));
    }

    [Fact]
    public async Task A_consumer_receives_in_order_with_increasing_tags()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        await using var session = broker.Vhost.OpenSession();
        var sink = new CollectingSink();
        var tag = await session.ConsumeAsync("q", "", noAck: false, exclusive: false, null, sink);
        Assert.StartsWith("amq.ctag-", tag);

        for (var i = 0; i < 50; i++)
        {
            await broker.PublishAsync("q", $"m{i}");
        }
        var got = await sink.TakeAsync(50);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}"), got.Select(TestBroker.Text));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (ulong)i), got.Select(d => d.DeliveryTag));
        Assert.All(got, d => Assert.Equal(tag, d.ConsumerTag));
        session.Ack(50, multiple: true);
        Assert.Equal(0, broker.Vhost.GetQueue("q").Messages);
    }

    [Fact]
    public async Task Persistent_messages_of_a_durable_queue_survive_a_restart_and_transient_ones_do_not()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("durable");
        await broker.QueueAsync("transient-queue", durable: false);
        await broker.PublishAsync("durable", "kept");
        await broker.PublishAsync("durable", "dropped", new MessageProperties { DeliveryMode = 1 });
        await broker.PublishAsync("transient-queue", "gone with its queue");

        await broker.RestartAsync();

        Assert.Equal(["kept"], await broker.DrainAsync("durable"));
        Assert.False(broker.Vhost.TryGetQueue("transient-queue", out _));
    }
}
