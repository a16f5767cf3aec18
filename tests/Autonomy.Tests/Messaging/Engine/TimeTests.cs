using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

/// <summary>TTLs, delays and backoff, on a fake clock: nothing here depends on how fast the machine is.</summary>
public class TimeTests
{
    private static async Task<TestBroker> StartAsync() => await TestBroker.StartAsync(TestBroker.FakeClock());

    private static async Task DeadLettersTo(TestBroker broker, string queue, FieldTable arguments)
    {
        await broker.QueueAsync("dead");
        arguments["x-dead-letter-exchange"] = "";
        arguments["x-dead-letter-routing-key"] = "dead";
        await broker.QueueAsync(queue, arguments);
    }

    [Fact]
    public async Task Messages_older_than_the_queue_ttl_are_dead_lettered_as_expired()
    {
        await using var broker = await StartAsync();
        await DeadLettersTo(broker, "q", new FieldTable { ["x-message-ttl"] = 1000 });
        await broker.PublishAsync("q", "old");
        await broker.AdvanceAsync(TimeSpan.FromMilliseconds(600));
        await broker.PublishAsync("q", "young");

        await broker.AdvanceAsync(TimeSpan.FromMilliseconds(500));
        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("dead").Ready == 1, "the old message is dead-lettered");
        Assert.Equal(1, broker.Vhost.GetQueue("q").Ready);
        var dead = (await broker.Vhost.PeekAsync("dead", 1))[0];
        Assert.Equal(("old", "expired"), (TestBroker.Text(dead), ((FieldTable)((IReadOnlyList<object?>)dead.Properties.Headers!["x-death"]!)[0]!)["reason"]));

        await broker.AdvanceAsync(TimeSpan.FromMilliseconds(600));
        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("q").Messages == 0, "the young one expires in its turn");
    }

    [Fact]
    public async Task A_message_expiration_shorter_than_the_queue_ttl_wins_and_is_checked_on_get()
    {
        await using var broker = await StartAsync();
        await broker.QueueAsync("q", new FieldTable { ["x-message-ttl"] = 60_000 });
        await broker.PublishAsync("q", "short", TestBroker.Persistent with { Expiration = "100" });
        await broker.PublishAsync("q", "long");
        broker.Time!.Advance(TimeSpan.FromMilliseconds(200));

        await using var session = broker.Vhost.OpenSession();
        Assert.Equal("long", TestBroker.Text((await session.GetAsync("q", true))!));
        Assert.Null(await session.GetAsync("q", true));

        var invalid = await Assert.ThrowsAsync<BrokerException>(async () => await broker.PublishAsync("q", "x", TestBroker.Persistent with { Expiration = "soon" }));
        Assert.Equal(ReplyCode.PreconditionFailed, invalid.Code);
    }

    [Fact]
    public async Task An_unused_queue_with_x_expires_is_deleted_and_a_used_one_is_not()
    {
        await using var broker = await StartAsync();
        await broker.QueueAsync("idle", new FieldTable { ["x-expires"] = 5000 });
        await broker.QueueAsync("busy", new FieldTable { ["x-expires"] = 5000 });
        await broker.PublishAsync("idle", "publishing does not count as use");
        await using var session = broker.Vhost.OpenSession();
        await session.ConsumeAsync("busy", "c", true, false, null, new CollectingSink());

        await broker.AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.True(broker.Vhost.TryGetQueue("idle", out _));
        await broker.AdvanceAsync(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => !broker.Vhost.TryGetQueue("idle", out _), "the idle queue is deleted");
        Assert.True(broker.Vhost.TryGetQueue("busy", out _));

        await session.CancelAsync("c");
        await broker.AdvanceAsync(TimeSpan.FromSeconds(6));
        await Eventually.TrueAsync(() => !broker.Vhost.TryGetQueue("busy", out _), "the queue expires once its consumer is gone");
    }

    [Fact]
    public async Task A_delayed_message_is_stored_at_once_and_delivered_after_its_delay()
    {
        await using var broker = await StartAsync();
        await broker.QueueAsync("q");
        await using var session = broker.Vhost.OpenSession();
        var sink = new CollectingSink();
        await session.ConsumeAsync("q", "c", false, false, null, sink);

        var delayed = TestBroker.Persistent with { Headers = new FieldTable { ["x-delay"] = 5000 } };
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync("q", "later", delayed));
        await broker.PublishAsync("q", "now");
        Assert.Equal("now", TestBroker.Text(await sink.NextAsync()));
        Assert.Equal(1, broker.Vhost.GetQueue("q").Delayed);

        await broker.AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.True(await sink.QuietForAsync(100));
        await broker.AdvanceAsync(TimeSpan.FromSeconds(1));
        var later = await sink.NextAsync();
        Assert.Equal("later", TestBroker.Text(later));
        Assert.True(later.Properties.Headers!.ContainsKey("x-delay"));
        Assert.Equal(0, broker.Vhost.GetQueue("q").Delayed);
    }

    [Fact]
    public async Task A_delayed_message_survives_a_restart_and_keeps_its_time()
    {
        await using var broker = await StartAsync();
        await broker.QueueAsync("q");
        await broker.PublishAsync("q", "later", TestBroker.Persistent with { Headers = new FieldTable { ["x-delay"] = "5000" } });

        await broker.RestartAsync();
        Assert.Equal(1, broker.Vhost.GetQueue("q").Delayed);
        Assert.Empty(await broker.DrainAsync("q"));
        await broker.AdvanceAsync(TimeSpan.FromSeconds(6));
        Assert.Equal(["later"], await broker.DrainAsync("q"));
    }

    [Fact]
    public async Task Retry_backoff_grows_each_return_up_to_its_cap_until_the_delivery_limit_dead_letters()
    {
        await using var broker = await StartAsync();
        await DeadLettersTo(broker, "jobs", new FieldTable
        {
            ["x-retry-backoff"] = 1000,
            ["x-retry-backoff-multiplier"] = 3,
            ["x-retry-backoff-max"] = 5000,
            ["x-delivery-limit"] = 3,
        });
        await broker.PublishAsync("jobs", "flaky");
        await using var session = broker.Vhost.OpenSession();

        // Returned for the 1st, 2nd, 3rd time: ready again after 1 s, 3 s, then 5 s (9 s capped).
        foreach (var wait in new[] { 1000, 3000, 5000 })
        {
            var delivery = await session.GetAsync("jobs", false);
            Assert.NotNull(delivery);
            session.Nack(delivery.DeliveryTag, false, requeue: true);
            Assert.Equal(1, broker.Vhost.GetQueue("jobs").Delayed);
            await broker.AdvanceAsync(TimeSpan.FromMilliseconds(wait - 10));
            Assert.Null(await session.GetAsync("jobs", false));
            await broker.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        }
        var last = await session.GetAsync("jobs", false);
        Assert.Equal(3, last!.DeliveryCount);
        Assert.True(last.Redelivered);
        session.Nack(last.DeliveryTag, false, requeue: true);
        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("dead").Ready == 1, "the fourth return dead-letters it");
        Assert.Equal(0, broker.Vhost.GetQueue("jobs").Messages);
    }

    [Fact]
    public async Task A_nack_with_an_explicit_delay_holds_the_message_that_long()
    {
        await using var broker = await StartAsync();
        await broker.QueueAsync("q");
        await broker.PublishAsync("q", "x");
        await using var session = broker.Vhost.OpenSession();
        session.Nack((await session.GetAsync("q", false))!.DeliveryTag, false, true, TimeSpan.FromSeconds(30));

        await broker.AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.Null(await session.GetAsync("q", true));
        await broker.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.NotNull(await session.GetAsync("q", true));
    }

    [Fact]
    public async Task Backoff_survives_a_restart()
    {
        await using var broker = await StartAsync();
        await broker.QueueAsync("q", new FieldTable { ["x-retry-backoff"] = 10_000 });
        await broker.PublishAsync("q", "x");
        await using (var session = broker.Vhost.OpenSession())
        {
            session.Nack((await session.GetAsync("q", false))!.DeliveryTag, false, true);
        }
        await broker.RestartAsync();

        Assert.Equal(1, broker.Vhost.GetQueue("q").Delayed);
        await broker.AdvanceAsync(TimeSpan.FromSeconds(10));
        await using var again = broker.Vhost.OpenSession();
        var delivery = await again.GetAsync("q", true);
        Assert.Equal((1L, true), (delivery!.DeliveryCount, delivery.Redelivered));
    }
}
