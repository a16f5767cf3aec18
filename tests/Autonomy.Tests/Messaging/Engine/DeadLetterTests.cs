using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

public class DeadLetterTests
{
    /// <summary>A work queue whose dead letters go through a fanout exchange to "dead".</summary>
    private static async Task<TestBroker> WithDeadLettersAsync(FieldTable? extra = null, Microsoft.Extensions.Time.Testing.FakeTimeProvider? time = null)
    {
        var broker = await TestBroker.StartAsync(time);
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("dlx", ExchangeKind.Fanout));
        await broker.QueueAsync("dead");
        await broker.Vhost.BindQueueAsync("dead", "dlx", "");
        var arguments = new FieldTable { ["x-dead-letter-exchange"] = "dlx" };
        foreach (var (key, value) in extra ?? [])
        {
            arguments[key] = value;
        }
        await broker.QueueAsync("work", arguments);
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("orders", ExchangeKind.Direct));
        await broker.Vhost.BindQueueAsync("work", "orders", "order.created");
        return broker;
    }

    private static Task PublishAsync(TestBroker broker, string body, MessageProperties? properties = null) =>
        broker.Vhost.PublishAsync("orders", "order.created", properties ?? TestBroker.Persistent, TestBroker.Bytes(body)).AsTask();

    private static async Task<Delivery> DeadLetterAsync(TestBroker broker, int count = 1)
    {
        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("dead").Ready >= count, $"{count} dead letters arrive");
        return (await broker.Vhost.PeekAsync("dead", count))[count - 1];
    }

    private static FieldTable Death(Delivery delivery, int index = 0) =>
        (FieldTable)((IReadOnlyList<object?>)delivery.Properties.Headers!["x-death"]!)[index]!;

    [Fact]
    public async Task A_rejected_message_is_dead_lettered_with_an_x_death_as_RabbitMQ_writes_it()
    {
        await using var broker = await WithDeadLettersAsync();
        await PublishAsync(broker, "bad order", new MessageProperties { DeliveryMode = 2, Expiration = "60000", MessageId = "m-1" });
        await using var session = broker.Vhost.OpenSession();
        var delivery = await session.GetAsync("work", false);
        session.Reject(delivery!.DeliveryTag, requeue: false);

        var dead = await DeadLetterAsync(broker);
        Assert.Equal("bad order", TestBroker.Text(dead));
        Assert.Equal(("dlx", "order.created"), (dead.Exchange, dead.RoutingKey));
        Assert.Equal("m-1", dead.Properties.MessageId);
        Assert.Null(dead.Properties.Expiration);
        var death = Death(dead);
        Assert.Equal(["count", "reason", "queue", "time", "exchange", "routing-keys", "original-expiration"], death.Keys);
        Assert.Equal(1L, death["count"]);
        Assert.Equal("rejected", death["reason"]);
        Assert.Equal("work", death["queue"]);
        Assert.Equal("orders", death["exchange"]);
        Assert.Equal(["order.created"], (IReadOnlyList<object?>)death["routing-keys"]!);
        Assert.Equal("60000", death["original-expiration"]);
        Assert.IsType<DateTimeOffset>(death["time"]);
        var headers = dead.Properties.Headers!;
        Assert.Equal(("rejected", "work", "orders"), (headers["x-first-death-reason"], headers["x-first-death-queue"], headers["x-first-death-exchange"]));
        Assert.Equal(0, broker.Vhost.GetQueue("work").Messages);
    }

    [Fact]
    public async Task Dying_again_in_the_same_queue_for_the_same_reason_counts_up_one_entry()
    {
        await using var broker = await WithDeadLettersAsync();
        // The dead-letter queue sends its own rejects back to work.
        await broker.Vhost.DeleteQueueAsync("dead");
        await broker.QueueAsync("dead", new FieldTable { ["x-dead-letter-exchange"] = "orders", ["x-dead-letter-routing-key"] = "order.created" });
        await broker.Vhost.BindQueueAsync("dead", "dlx", "");
        await PublishAsync(broker, "x");
        await using var session = broker.Vhost.OpenSession();

        for (var round = 0; round < 2; round++)
        {
            session.Reject((await session.GetAsync("work", false))!.DeliveryTag, false);
            await Eventually.TrueAsync(() => broker.Vhost.GetQueue("dead").Ready == 1, "it reaches dead");
            session.Reject((await session.GetAsync("dead", false))!.DeliveryTag, false);
            await Eventually.TrueAsync(() => broker.Vhost.GetQueue("work").Ready == 1, "it is back in work");
        }
        var delivery = (await broker.Vhost.PeekAsync("work", 1))[0];
        var deaths = (IReadOnlyList<object?>)delivery.Properties.Headers!["x-death"]!;
        Assert.Equal(2, deaths.Count);
        Assert.Equal(("dead", 2L), (((FieldTable)deaths[0]!)["queue"], ((FieldTable)deaths[0]!)["count"]));
        Assert.Equal(("work", 2L), (((FieldTable)deaths[1]!)["queue"], ((FieldTable)deaths[1]!)["count"]));
        Assert.Equal("work", delivery.Properties.Headers["x-first-death-queue"]);
        Assert.Equal("dead", delivery.Properties.Headers["x-last-death-queue"]);
    }

    [Fact]
    public async Task Without_a_dead_letter_exchange_or_with_a_missing_one_the_message_is_dropped()
    {
        await using var broker = await WithDeadLettersAsync();
        await broker.QueueAsync("nowhere", new FieldTable { ["x-dead-letter-exchange"] = "does-not-exist" });
        await broker.PublishAsync("nowhere", "x");
        await using var session = broker.Vhost.OpenSession();
        session.Reject((await session.GetAsync("nowhere", false))!.DeliveryTag, false);

        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("nowhere").Messages == 0, "the message is gone");
        Assert.Equal(0, broker.Vhost.GetQueue("dead").Messages);
    }

    [Fact]
    public async Task The_dead_letter_routing_key_replaces_the_original_one()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("parking");
        await broker.QueueAsync("work", new FieldTable { ["x-dead-letter-exchange"] = "", ["x-dead-letter-routing-key"] = "parking" });
        await broker.PublishAsync("work", "x");
        await using var session = broker.Vhost.OpenSession();
        session.Nack((await session.GetAsync("work", false))!.DeliveryTag, false, requeue: false);

        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("parking").Ready == 1, "it reaches parking");
        Assert.Equal(["parking"], broker.Vhost.DeadLetterQueues.Select(q => q.Name));
    }

    [Fact]
    public async Task A_message_returned_past_its_delivery_limit_is_dead_lettered_with_reason_delivery_limit()
    {
        await using var broker = await WithDeadLettersAsync(new FieldTable { ["x-delivery-limit"] = 2 });
        await PublishAsync(broker, "poison");
        await using var session = broker.Vhost.OpenSession();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var delivery = await session.GetAsync("work", false);
            Assert.Equal(attempt - 1, delivery!.DeliveryCount);
            session.Nack(delivery.DeliveryTag, false, requeue: true);
        }
        var dead = await DeadLetterAsync(broker);
        Assert.Equal("delivery_limit", Death(dead)["reason"]);
        Assert.Equal(0, broker.Vhost.GetQueue("work").Messages);
    }

    [Fact]
    public async Task A_consumer_that_goes_away_counts_towards_the_delivery_limit()
    {
        await using var broker = await WithDeadLettersAsync(new FieldTable { ["x-delivery-limit"] = 0 });
        await PublishAsync(broker, "poison");
        var session = broker.Vhost.OpenSession();
        Assert.NotNull(await session.GetAsync("work", false));
        await session.DisposeAsync();

        Assert.Equal("delivery_limit", Death(await DeadLetterAsync(broker))["reason"]);
    }

    [Fact]
    public async Task A_cycle_of_automatic_deaths_is_broken_but_one_with_a_rejection_is_not()
    {
        var clock = TestBroker.FakeClock();
        await using var broker = await TestBroker.StartAsync(clock);
        // "loop" dead-letters expired messages back into itself.
        await broker.QueueAsync("loop", new FieldTable { ["x-message-ttl"] = 1000, ["x-dead-letter-exchange"] = "", ["x-dead-letter-routing-key"] = "loop" });
        await broker.PublishAsync("loop", "x");
        await broker.AdvanceAsync(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("loop").Messages == 0, "the expired message is dropped, not requeued forever");

        // Rejected by a client, the same message may come back (the client is in the loop).
        await broker.QueueAsync("retry", new FieldTable { ["x-dead-letter-exchange"] = "", ["x-dead-letter-routing-key"] = "retry" });
        await broker.PublishAsync("retry", "y");
        await using var session = broker.Vhost.OpenSession();
        session.Reject((await session.GetAsync("retry", false))!.DeliveryTag, false);
        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("retry").Ready == 1, "the rejected message comes back");
    }

    [Fact]
    public async Task Dead_letters_are_moved_back_to_where_they_first_died_each_settled_with_its_republish()
    {
        await using var broker = await WithDeadLettersAsync();
        for (var i = 0; i < 3; i++)
        {
            await PublishAsync(broker, $"m{i}");
        }
        await using (var session = broker.Vhost.OpenSession())
        {
            for (var i = 0; i < 3; i++)
            {
                session.Reject((await session.GetAsync("work", false))!.DeliveryTag, false);
            }
        }
        await DeadLetterAsync(broker, 3);
        var peeked = await broker.Vhost.PeekAsync("dead", 10);
        Assert.Equal(["m0", "m1", "m2"], peeked.Select(TestBroker.Text));
        Assert.Equal(3, broker.Vhost.GetQueue("dead").Ready);

        Assert.Equal(2, await broker.Vhost.MoveDeadLettersAsync("dead", 2));
        Assert.Equal((1L, 2L), (broker.Vhost.GetQueue("dead").Ready, broker.Vhost.GetQueue("work").Ready));
        Assert.Equal(1, await broker.Vhost.MoveDeadLettersAsync("dead", 100));

        await broker.RestartAsync();
        Assert.Equal(0, broker.Vhost.GetQueue("dead").Messages);
        var back = await broker.DrainAsync("work");
        Assert.Equal(["m0", "m1", "m2"], back);
    }

    [Fact]
    public async Task Moving_stops_at_a_message_that_has_no_death_or_nowhere_to_go()
    {
        await using var broker = await WithDeadLettersAsync();
        await broker.PublishAsync("dead", "never died");
        Assert.Equal(0, await broker.Vhost.MoveDeadLettersAsync("dead", 10));
        Assert.Equal(1, broker.Vhost.GetQueue("dead").Ready);
    }

    [Fact]
    public async Task A_dead_lettering_survives_a_restart_exactly_once()
    {
        await using var broker = await WithDeadLettersAsync();
        await PublishAsync(broker, "x");
        await using (var session = broker.Vhost.OpenSession())
        {
            session.Reject((await session.GetAsync("work", false))!.DeliveryTag, false);
        }
        await DeadLetterAsync(broker);

        await broker.RestartAsync();
        Assert.Equal(0, broker.Vhost.GetQueue("work").Messages);
        Assert.Equal(1, broker.Vhost.GetQueue("dead").Messages);
    }
}
