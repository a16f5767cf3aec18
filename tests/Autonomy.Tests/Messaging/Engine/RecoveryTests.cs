using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Tests.Messaging.Engine;

public class RecoveryTests
{
    [Fact]
    public async Task After_a_clean_restart_only_the_messages_that_were_out_come_back_redelivered()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        foreach (var body in new[] { "acked", "out", "never delivered" })
        {
            await broker.PublishAsync("q", body);
        }
        var session = broker.Vhost.OpenSession();
        session.Ack((await session.GetAsync("q", false))!.DeliveryTag, false);
        Assert.Equal("out", TestBroker.Text((await session.GetAsync("q", false))!));

        await broker.RestartAsync();

        await using var again = broker.Vhost.OpenSession();
        var first = await again.GetAsync("q", true);
        var second = await again.GetAsync("q", true);
        Assert.Equal(("out", true), (TestBroker.Text(first!), first!.Redelivered));
        Assert.Equal(("never delivered", false), (TestBroker.Text(second!), second!.Redelivered));
        // A broker stopping is no failed delivery: the return count is not raised.
        Assert.Equal(0, first.DeliveryCount);
        Assert.Null(await again.GetAsync("q", true));
    }

    [Fact]
    public async Task After_an_unclean_stop_every_recovered_message_is_marked_redelivered()
    {
        var disk = new CrashingLogFileSystem();
        await using var broker = await TestBroker.StartAsync(files: disk);
        await broker.QueueAsync("q");
        await broker.PublishAsync("q", "a");
        await broker.PublishAsync("q", "b");

        await CrashAsync(broker, disk, new Random(1));

        await using var session = broker.Vhost.OpenSession();
        var got = new[] { await session.GetAsync("q", true), await session.GetAsync("q", true) };
        Assert.Equal(["a", "b"], got.Select(d => TestBroker.Text(d!)));
        Assert.All(got, d => Assert.True(d!.Redelivered));
    }

    [Fact]
    public async Task Settled_messages_stay_settled_across_restarts_and_their_segments_are_deleted()
    {
        await using var broker = await TestBroker.StartAsync(configure: o => o with { SegmentBytes = 4096 });
        await broker.QueueAsync("q");
        for (var i = 0; i < 40; i++)
        {
            await broker.PublishAsync("q", new string('x', 500) + i);
        }
        Assert.True(broker.Broker.Stats.LogSegments > 4);
        Assert.Equal(40, (await broker.DrainAsync("q")).Count);
        await broker.RestartAsync();
        await broker.RestartAsync();

        Assert.Equal(0, broker.Vhost.GetQueue("q").Messages);
        await Eventually.TrueAsync(() => broker.Broker.Stats.LogSegments <= 2, "the settled segments are deleted");
    }

    [Fact]
    public async Task A_purged_or_deleted_queue_does_not_come_back_with_its_messages()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("purged");
        await broker.QueueAsync("deleted");
        await broker.PublishAsync("purged", "p");
        await broker.PublishAsync("deleted", "d");
        await broker.Vhost.PurgeQueueAsync("purged");
        await broker.Vhost.DeleteQueueAsync("deleted");
        await broker.QueueAsync("deleted");
        await broker.PublishAsync("deleted", "new");

        await broker.RestartAsync();
        Assert.Equal(0, broker.Vhost.GetQueue("purged").Messages);
        Assert.Equal(["new"], await broker.DrainAsync("deleted"));
    }

    [Fact]
    public async Task One_publish_to_several_queues_is_one_record_and_each_queue_keeps_its_copy()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("a");
        await broker.QueueAsync("b");
        await broker.Vhost.BindQueueAsync("a", "amq.fanout", "");
        await broker.Vhost.BindQueueAsync("b", "amq.fanout", "");
        var body = new byte[100_000];
        await broker.Vhost.PublishAsync("amq.fanout", "", TestBroker.Persistent, body);

        Assert.InRange(broker.Broker.Stats.LogBytes, body.Length, (body.Length * 3 / 2) + 8192);
        Assert.Single(await broker.DrainAsync("a"));
        await broker.RestartAsync();
        Assert.Equal(0, broker.Vhost.GetQueue("a").Messages);
        Assert.Single(await broker.DrainAsync("b"));
    }

    /// <summary>
    /// Pulls the plug: the disk stops taking writes, the broker is dropped, everything not fsynced is lost (a random
    /// part of the pending bytes survives, torn), and the broker opens again on what is left.
    /// </summary>
    internal static async Task CrashAsync(TestBroker broker, CrashingLogFileSystem disk, Random torn)
    {
        disk.FailAfter(0);
        try
        {
            await broker.Broker.DisposeAsync();
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The machine is going down: nothing more reaches the disk.
        }
        disk.Crash(torn);
        await broker.OpenAsync();
    }
}
