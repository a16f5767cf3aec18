using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

public class QueueLimitTests
{
    private static async Task<TestBroker> WithLimitedQueueAsync(FieldTable limits)
    {
        var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("dead");
        limits["x-dead-letter-exchange"] = "";
        limits["x-dead-letter-routing-key"] = "dead";
        await broker.QueueAsync("q", limits);
        return broker;
    }

    [Fact]
    public async Task Drop_head_dead_letters_the_oldest_to_keep_the_length()
    {
        await using var broker = await WithLimitedQueueAsync(new FieldTable { ["x-max-length"] = 2 });
        foreach (var body in new[] { "a", "b", "c", "d" })
        {
            Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", body));
        }
        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("dead").Ready == 2, "two heads are dead-lettered");
        Assert.Equal(["c", "d"], await broker.DrainAsync("q"));
        var dead = await broker.Vhost.PeekAsync("dead", 2);
        Assert.Equal(["a", "b"], dead.Select(TestBroker.Text));
        Assert.Equal("maxlen", ((FieldTable)((IReadOnlyList<object?>)dead[0].Properties.Headers!["x-death"]!)[0]!)["reason"]);
    }

    [Fact]
    public async Task Reject_publish_refuses_what_does_not_fit_and_takes_it_again_once_there_is_room()
    {
        await using var broker = await WithLimitedQueueAsync(new FieldTable { ["x-max-length"] = 2, ["x-overflow"] = "reject-publish" });
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "a"));
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "b"));
        Assert.Equal(PublishOutcome.Rejected, await broker.PublishAsync("q", "c"));
        Assert.Equal(2, broker.Vhost.GetQueue("q").Ready);

        await using var session = broker.Vhost.OpenSession();
        var taken = await session.GetAsync("q", false);
        // Unacked messages do not count against the length, as in RabbitMQ.
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "d"));
        session.Ack(taken!.DeliveryTag, false);
        Assert.Equal(["b", "d"], await broker.DrainAsync("q"));
        Assert.Equal(0, broker.Vhost.GetQueue("dead").Messages);
    }

    [Fact]
    public async Task Reject_publish_dlx_refuses_and_dead_letters_the_refused_message()
    {
        await using var broker = await WithLimitedQueueAsync(new FieldTable { ["x-max-length"] = 1, ["x-overflow"] = "reject-publish-dlx" });
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "kept"));
        Assert.Equal(PublishOutcome.Rejected, await broker.PublishAsync("q", "refused"));

        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("dead").Ready == 1, "the refused message is dead-lettered");
        Assert.Equal(["refused"], await broker.DrainAsync("dead"));
        Assert.Equal(["kept"], await broker.DrainAsync("q"));
    }

    [Fact]
    public async Task Max_length_bytes_counts_bodies()
    {
        await using var broker = await WithLimitedQueueAsync(new FieldTable { ["x-max-length-bytes"] = 10, ["x-overflow"] = "reject-publish" });
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "12345"));
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "67890"));
        Assert.Equal(PublishOutcome.Rejected, await broker.PublishAsync("q", "1"));
        Assert.Equal(10, broker.Vhost.GetQueue("q").Bytes);
    }

    [Fact]
    public async Task Max_length_bytes_with_drop_head_drops_until_the_bodies_fit()
    {
        await using var broker = await WithLimitedQueueAsync(new FieldTable { ["x-max-length-bytes"] = 10 });
        await broker.PublishAsync("q", "12345");
        await broker.PublishAsync("q", "678");
        await broker.PublishAsync("q", "abcdefghi");
        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("dead").Ready == 2, "the two oldest are dropped");
        Assert.Equal(["abcdefghi"], await broker.DrainAsync("q"));
    }

    [Fact]
    public async Task A_publish_to_a_full_queue_and_an_open_one_is_rejected_but_kept_in_the_open_one()
    {
        await using var broker = await WithLimitedQueueAsync(new FieldTable { ["x-max-length"] = 0, ["x-overflow"] = "reject-publish" });
        await broker.QueueAsync("open");
        await broker.Vhost.BindQueueAsync("q", "amq.fanout", "");
        await broker.Vhost.BindQueueAsync("open", "amq.fanout", "");

        Assert.Equal(PublishOutcome.Rejected, await broker.Vhost.PublishAsync("amq.fanout", "", TestBroker.Persistent, TestBroker.Bytes("x")));
        Assert.Equal((0L, 1L), (broker.Vhost.GetQueue("q").Messages, broker.Vhost.GetQueue("open").Messages));
    }

    [Fact]
    public async Task Higher_priorities_are_delivered_first_and_equal_ones_in_order()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("p", new FieldTable { ["x-max-priority"] = 5 });
        var sent = new (string Body, byte? Priority)[] { ("low1", 1), ("none", null), ("high1", 5), ("low2", 1), ("above-max", 200), ("high2", 5), ("mid", 3) };
        foreach (var (body, priority) in sent)
        {
            await broker.PublishAsync("p", body, TestBroker.Persistent with { Priority = priority });
        }
        Assert.Equal(["high1", "above-max", "high2", "mid", "low1", "low2", "none"], await broker.DrainAsync("p"));
    }

    [Fact]
    public async Task Priorities_are_ignored_by_a_queue_without_them()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("fifo");
        await broker.PublishAsync("fifo", "first", TestBroker.Persistent with { Priority = 1 });
        await broker.PublishAsync("fifo", "second", TestBroker.Persistent with { Priority = 9 });
        Assert.Equal(["first", "second"], await broker.DrainAsync("fifo"));
    }

    [Fact]
    public async Task A_returned_priority_message_goes_back_before_others_of_its_priority()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("p", new FieldTable { ["x-max-priority"] = 2 });
        await broker.PublishAsync("p", "a", TestBroker.Persistent with { Priority = 2 });
        await broker.PublishAsync("p", "b", TestBroker.Persistent with { Priority = 2 });
        await broker.PublishAsync("p", "c", TestBroker.Persistent with { Priority = 1 });
        await using var session = broker.Vhost.OpenSession();
        var first = await session.GetAsync("p", false);
        session.Reject(first!.DeliveryTag, true);
        Assert.Equal(["a", "b", "c"], await broker.DrainAsync("p"));
    }

    [Fact]
    public async Task A_message_id_seen_within_the_window_is_a_duplicate_and_after_it_is_new()
    {
        var clock = TestBroker.FakeClock();
        await using var broker = await TestBroker.StartAsync(clock);
        await broker.QueueAsync("q", new FieldTable { ["x-deduplication-window"] = 60_000 });
        var first = TestBroker.Persistent with { MessageId = "order-1" };

        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "a", first));
        Assert.Equal(PublishOutcome.Duplicate, await broker.PublishAsync("q", "a again", first));
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "b", TestBroker.Persistent with { MessageId = "order-2" }));
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "no id"));
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "no id"));

        // The window survives a restart: a producer retrying after a crash lost its confirm is still caught.
        await broker.RestartAsync();
        Assert.Equal(PublishOutcome.Duplicate, await broker.PublishAsync("q", "a after restart", first));

        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "a much later", first));
        Assert.Equal(["a", "b", "no id", "no id", "a much later"], await broker.DrainAsync("q"));
    }

    [Fact]
    public async Task A_duplicate_for_one_queue_still_reaches_a_queue_without_a_window()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("dedup", new FieldTable { ["x-deduplication-window"] = 60_000 });
        await broker.QueueAsync("plain");
        await broker.Vhost.BindQueueAsync("dedup", "amq.fanout", "");
        await broker.Vhost.BindQueueAsync("plain", "amq.fanout", "");
        var properties = TestBroker.Persistent with { MessageId = "m" };

        await broker.Vhost.PublishAsync("amq.fanout", "", properties, TestBroker.Bytes("1"));
        Assert.Equal(PublishOutcome.Routed, await broker.Vhost.PublishAsync("amq.fanout", "", properties, TestBroker.Bytes("2")));
        Assert.Equal((1L, 2L), (broker.Vhost.GetQueue("dedup").Messages, broker.Vhost.GetQueue("plain").Messages));
    }
}
