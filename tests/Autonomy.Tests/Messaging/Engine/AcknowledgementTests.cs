using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

public class AcknowledgementTests
{
    private static async Task<TestBroker> WithMessagesAsync(int count, string queue = "q")
    {
        var broker = await TestBroker.StartAsync();
        await broker.QueueAsync(queue);
        for (var i = 0; i < count; i++)
        {
            await broker.PublishAsync(queue, $"m{i}");
        }
        return broker;
    }

    private static async Task<List<Delivery>> GetAllAsync(Autonomy.Server.Messaging.Engine.Session session, int count)
    {
        var got = new List<Delivery>();
        for (var i = 0; i < count; i++)
        {
            got.Add((await session.GetAsync("q", noAck: false))!);
        }
        return got;
    }

    [Fact]
    public async Task Ack_multiple_settles_every_tag_up_to_the_one_given()
    {
        await using var broker = await WithMessagesAsync(5);
        await using var session = broker.Vhost.OpenSession();
        await GetAllAsync(session, 5);

        session.Ack(2, multiple: false);
        session.Ack(4, multiple: true);
        Assert.Equal(1, session.UnackedCount);
        Assert.Equal(1, broker.Vhost.GetQueue("q").Unacked);
        session.Ack(5, multiple: false);
        Assert.Equal(0, broker.Vhost.GetQueue("q").Messages);
    }

    [Fact]
    public async Task An_unknown_or_already_acked_tag_is_precondition_failed()
    {
        await using var broker = await WithMessagesAsync(2);
        await using var session = broker.Vhost.OpenSession();
        await GetAllAsync(session, 2);
        session.Ack(1, false);

        var again = Assert.Throws<BrokerException>(() => session.Ack(1, false));
        Assert.Equal(ReplyCode.PreconditionFailed, again.Code);
        Assert.Equal("PRECONDITION_FAILED - unknown delivery tag 1", again.Message);
        Assert.Equal("PRECONDITION_FAILED - unknown delivery tag 7", Assert.Throws<BrokerException>(() => session.Nack(7, true, true)).Message);
        Assert.Throws<BrokerException>(() => session.Reject(9, false));
        Assert.Equal(1, session.UnackedCount);
    }

    [Fact]
    public async Task Holds_tells_which_tags_the_session_still_has_unsettled()
    {
        await using var broker = await WithMessagesAsync(3);
        await using var session = broker.Vhost.OpenSession();
        await GetAllAsync(session, 3);
        session.Ack(2, multiple: false);
        session.Reject(3, requeue: true);

        Assert.True(session.Holds(1));
        Assert.False(session.Holds(2));
        Assert.False(session.Holds(3));
        Assert.False(session.Holds(0));
        Assert.False(session.Holds(99));
        session.Ack(1, multiple: false);
        Assert.False(session.Holds(1));
    }

    [Fact]
    public async Task Nack_with_requeue_returns_messages_to_the_front_redelivered_in_their_order()
    {
        await using var broker = await WithMessagesAsync(4);
        await using var session = broker.Vhost.OpenSession();
        await GetAllAsync(session, 3);

        session.Nack(3, multiple: true, requeue: true);
        var again = await GetAllAsync(session, 4);
        Assert.Equal(["m0", "m1", "m2", "m3"], again.Select(TestBroker.Text));
        Assert.Equal([true, true, true, false], again.Select(d => d.Redelivered));
        Assert.Equal([1L, 1L, 1L, 0L], again.Select(d => d.DeliveryCount));
        Assert.Equal([4UL, 5UL, 6UL, 7UL], again.Select(d => d.DeliveryTag));
    }

    [Fact]
    public async Task Reject_without_requeue_and_no_dead_letter_exchange_drops_the_message()
    {
        await using var broker = await WithMessagesAsync(2);
        await using var session = broker.Vhost.OpenSession();
        var first = await session.GetAsync("q", false);
        session.Reject(first!.DeliveryTag, requeue: false);

        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("q").Messages == 1, "the rejected message is gone");
        Assert.Equal("m1", TestBroker.Text((await session.GetAsync("q", true))!));
    }

    [Fact]
    public async Task Recover_requeues_everything_unacked_and_requeue_false_is_not_implemented()
    {
        await using var broker = await WithMessagesAsync(2);
        await using var session = broker.Vhost.OpenSession();
        await GetAllAsync(session, 2);

        Assert.Equal(ReplyCode.NotImplemented, Assert.Throws<BrokerException>(() => session.Recover(requeue: false)).Code);
        session.Recover(requeue: true);
        Assert.Equal(0, session.UnackedCount);
        var again = await GetAllAsync(session, 2);
        Assert.All(again, d => Assert.True(d.Redelivered));
    }

    [Fact]
    public async Task Closing_a_session_returns_its_unacked_messages_redelivered()
    {
        await using var broker = await WithMessagesAsync(3);
        var session = broker.Vhost.OpenSession();
        var sink = new CollectingSink();
        await session.ConsumeAsync("q", "c", false, false, null, sink);
        await sink.TakeAsync(3);
        session.Ack(1, false);

        await session.DisposeAsync();
        Assert.Equal((2L, 0L, 0), (broker.Vhost.GetQueue("q").Ready, broker.Vhost.GetQueue("q").Unacked, broker.Vhost.GetQueue("q").Consumers));
        await using var next = broker.Vhost.OpenSession();
        var returned = await GetAllAsync(next, 2);
        Assert.Equal(["m1", "m2"], returned.Select(TestBroker.Text));
        Assert.All(returned, d => Assert.True(d.Redelivered));
    }

    [Fact]
    public async Task No_ack_deliveries_are_settled_at_once()
    {
        await using var broker = await WithMessagesAsync(3);
        await using var session = broker.Vhost.OpenSession();
        var sink = new CollectingSink();
        await session.ConsumeAsync("q", "c", noAck: true, false, null, sink);
        await sink.TakeAsync(3);

        await Eventually.TrueAsync(() => broker.Vhost.GetQueue("q").Messages == 0, "the queue is empty");
        Assert.Equal(0, session.UnackedCount);
        await session.DisposeAsync();
        Assert.Equal(0, broker.Vhost.GetQueue("q").Messages);
    }

    [Fact]
    public async Task A_consumer_never_has_more_unacked_deliveries_than_its_prefetch()
    {
        await using var broker = await WithMessagesAsync(0);
        await using var session = broker.Vhost.OpenSession();
        session.SetPrefetch(3, global: false);
        var outstanding = 0;
        var most = 0;
        var sink = new CollectingSink
        {
            OnDeliver = _ =>
            {
                var now = Interlocked.Increment(ref outstanding);
                InterlockedMax(ref most, now);
            },
        };
        await session.ConsumeAsync("q", "c", false, false, null, sink);
        var publishing = Task.WhenAll(Enumerable.Range(0, 200).Select(i => broker.PublishAsync("q", $"m{i}").AsTask()));

        for (var received = 0; received < 200; received++)
        {
            var delivery = await sink.NextAsync();
            Assert.True(Volatile.Read(ref outstanding) <= 3, $"{outstanding} deliveries out with a prefetch of 3");
            Interlocked.Decrement(ref outstanding);
            session.Ack(delivery.DeliveryTag, false);
        }
        await publishing;
        Assert.Equal(3, most);
        Assert.Equal(0, broker.Vhost.GetQueue("q").Messages);
    }

    [Fact]
    public async Task A_global_prefetch_is_shared_by_all_the_sessions_consumers_across_queues()
    {
        await using var broker = await WithMessagesAsync(10, "q");
        await broker.QueueAsync("r");
        for (var i = 0; i < 10; i++)
        {
            await broker.PublishAsync("r", $"r{i}");
        }
        await using var session = broker.Vhost.OpenSession();
        session.SetPrefetch(4, global: true);
        var sink = new CollectingSink();
        await session.ConsumeAsync("q", "cq", false, false, null, sink);
        await session.ConsumeAsync("r", "cr", false, false, null, sink);

        var first = await sink.TakeAsync(4);
        Assert.True(await sink.QuietForAsync(300));
        Assert.Equal(4, session.UnackedCount);

        session.Ack(first[^1].DeliveryTag, multiple: true);
        await sink.TakeAsync(4);
        Assert.True(await sink.QuietForAsync(300));
    }

    [Fact]
    public async Task Prefetch_set_afterwards_applies_to_new_consumers_only()
    {
        await using var broker = await WithMessagesAsync(6);
        await using var session = broker.Vhost.OpenSession();
        session.SetPrefetch(2, global: false);
        var limited = new CollectingSink();
        await session.ConsumeAsync("q", "limited", false, false, null, limited);
        await limited.TakeAsync(2);
        session.SetPrefetch(0, global: false);
        Assert.True(await limited.QuietForAsync(200));
        Assert.Equal(2, session.UnackedCount);
    }

    [Fact]
    public async Task Consumers_share_a_queue_round_robin_and_an_exclusive_consumer_is_alone()
    {
        await using var broker = await WithMessagesAsync(0);
        await using var session = broker.Vhost.OpenSession();
        var a = new CollectingSink();
        var b = new CollectingSink();
        await session.ConsumeAsync("q", "a", true, false, null, a);
        await session.ConsumeAsync("q", "b", true, false, null, b);
        for (var i = 0; i < 20; i++)
        {
            await broker.PublishAsync("q", $"m{i}");
        }
        await Eventually.TrueAsync(() => a.Count + b.Count == 20, "all 20 are delivered");
        Assert.InRange(a.Count, 5, 15);

        var refused = await Assert.ThrowsAsync<BrokerException>(() => session.ConsumeAsync("q", "x", false, exclusive: true, null, new CollectingSink()));
        Assert.Equal(ReplyCode.AccessRefused, refused.Code);
        var reused = await Assert.ThrowsAsync<BrokerException>(() => session.ConsumeAsync("q", "a", false, false, null, new CollectingSink()));
        Assert.Equal(ReplyCode.NotAllowed, reused.Code);
    }

    [Fact]
    public async Task Receive_waits_for_a_message_and_returns_what_is_there_up_to_max()
    {
        await using var broker = await WithMessagesAsync(3);
        await using var session = broker.Vhost.OpenSession();

        var batch = await session.ReceiveAsync("q", 2, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(["m0", "m1"], batch.Select(TestBroker.Text));
        Assert.Single(await session.ReceiveAsync("q", 10, TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Empty(await session.ReceiveAsync("q", 10, TimeSpan.FromMilliseconds(50), CancellationToken.None));

        var waiting = session.ReceiveAsync("q", 10, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await broker.PublishAsync("q", "late");
        Assert.Equal(["late"], (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Select(TestBroker.Text));
        Assert.Equal(4, session.UnackedCount);
    }

    [Fact]
    public async Task Each_message_goes_to_one_long_poll_and_a_cancelled_poll_takes_none()
    {
        await using var broker = await WithMessagesAsync(0);
        var sessions = Enumerable.Range(0, 5).Select(_ => broker.Vhost.OpenSession()).ToList();
        using var leaving = new CancellationTokenSource();
        var polls = sessions.Select((s, i) => s.ReceiveAsync("q", 10, TimeSpan.FromSeconds(30), i == 0 ? leaving.Token : CancellationToken.None).AsTask()).ToList();
        await Task.Delay(100);

        await broker.PublishAsync("q", "one");
        var first = await Task.WhenAny(polls).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["one"], (await first).Select(TestBroker.Text));
        await Task.Delay(200);
        Assert.Equal(1, polls.Count(p => p.IsCompleted));   // the others were not woken to race for it

        // The oldest poll leaves before the next message: the message wakes a poll that is still there.
        var waitingBefore = polls.Where(p => !p.IsCompleted).ToList();
        await leaving.CancelAsync();
        await broker.PublishAsync("q", "two");
        await Eventually.TrueAsync(() => waitingBefore.Any(p => p.IsCompletedSuccessfully && p.Result.Count == 1), "another poll takes the second message");
        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
