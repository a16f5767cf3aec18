using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

public class InspectionTests
{
    [Fact]
    public async Task Peek_shows_the_next_ready_messages_without_taking_them()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        foreach (var body in new[] { "a", "b", "c" })
        {
            await broker.PublishAsync("q", body, TestBroker.Persistent with { ContentType = "text/plain" });
        }
        var peeked = await broker.Vhost.PeekAsync("q", 2);

        Assert.Equal(["a", "b"], peeked.Select(TestBroker.Text));
        Assert.All(peeked, d => Assert.Equal("text/plain", d.Properties.ContentType));
        Assert.Equal(3, broker.Vhost.GetQueue("q").Ready);
        Assert.Equal(["a", "b", "c"], await broker.DrainAsync("q"));
    }

    [Fact]
    public async Task A_tap_sees_every_message_entering_the_queue_and_takes_none()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        var seen = new List<string>();
        using (broker.Vhost.Tap("q", d => { lock (seen) { seen.Add(TestBroker.Text(d)); } }))
        {
            await broker.PublishAsync("q", "one");
            await broker.PublishAsync("q", "two");
        }
        await broker.PublishAsync("q", "after the tap");

        Assert.Equal(["one", "two"], seen);
        Assert.Equal(3, broker.Vhost.GetQueue("q").Ready);
    }

    [Fact]
    public async Task Queue_counts_show_ready_unacked_delayed_bytes_and_consumers()
    {
        await using var broker = await TestBroker.StartAsync(TestBroker.FakeClock());
        await broker.QueueAsync("q");
        await broker.PublishAsync("q", "1234");
        await broker.PublishAsync("q", "56", TestBroker.Persistent with { Headers = new FieldTable { ["x-delay"] = 1000 } });
        await broker.PublishAsync("q", "789");
        await using var session = broker.Vhost.OpenSession();
        await session.GetAsync("q", false);
        await session.ConsumeAsync("q", "c", false, false, null, new CollectingSink());
        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("q").Ready == 0, "the consumer takes the ready message");

        var info = broker.Vhost.GetQueue("q");
        Assert.Equal((0L, 2L, 1L, 3L, 9L, 1), (info.Ready, info.Unacked, info.Delayed, info.Messages, info.Bytes, info.Consumers));
        Assert.Equal((3L, 2L), (info.Published, info.Delivered));
        Assert.Equal(3, broker.Broker.Stats.Published);
    }
}
