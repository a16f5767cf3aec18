using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

public class FlowControlTests
{
    [Fact]
    public async Task Publishers_wait_without_failing_while_the_disk_lags_and_resume_when_it_catches_up()
    {
        var disk = new GatedLogFileSystem();
        await using var broker = await TestBroker.StartAsync(files: disk, configure: o => o with { MemoryHighWatermarkBytes = 64 * 1024 });
        await broker.QueueAsync("q");
        var changes = new List<(bool Blocked, string Reason)>();
        broker.Broker.BlockedChanged += (blocked, reason) => { lock (changes) { changes.Add((blocked, reason)); } };
        var body = new byte[4096];

        disk.Close();
        var early = new List<Task<PublishOutcome>>();
        while (!broker.Broker.IsBlocked)
        {
            early.Add(broker.Vhost.PublishAsync("", "q", MessageProperties.Empty, body).AsTask());
            Assert.True(early.Count < 1000, "the broker never blocked its publishers");
            await Task.Yield();
        }
        var held = broker.Broker.Stats.BytesInMemory;
        var late = Enumerable.Range(0, 20).Select(_ => broker.Vhost.PublishAsync("", "q", MessageProperties.Empty, body).AsTask()).ToList();
        await Task.Delay(200);

        // Held back before they reach the log: the bytes waiting to be written did not grow, and nothing failed.
        Assert.All(late, t => Assert.False(t.IsCompleted));
        Assert.Equal(held, broker.Broker.Stats.BytesInMemory);
        Assert.Contains("memory", changes.Single().Reason);

        disk.Open();
        Assert.All(await Task.WhenAll(early.Concat(late)), outcome => Assert.Equal(PublishOutcome.Routed, outcome));
        Assert.False(broker.Broker.IsBlocked);
        // Released publishers may fill the buffer again for a moment: the changes alternate and end unblocked.
        Assert.Equal(changes.Select((_, i) => i % 2 == 0), changes.Select(c => c.Blocked));
        Assert.False(changes[^1].Blocked);
        Assert.Equal(early.Count + late.Count, broker.Vhost.GetQueue("q").Messages);
    }

    [Fact]
    public async Task A_publisher_held_back_can_give_up_with_its_cancellation_token()
    {
        var disk = new GatedLogFileSystem();
        await using var broker = await TestBroker.StartAsync(files: disk, configure: o => o with { MemoryHighWatermarkBytes = 16 * 1024 });
        await broker.QueueAsync("q");
        disk.Close();
        var early = new List<Task<PublishOutcome>>();
        while (!broker.Broker.IsBlocked)
        {
            early.Add(broker.Vhost.PublishAsync("", "q", MessageProperties.Empty, new byte[4096]).AsTask());
            await Task.Yield();
        }
        using var cancel = new CancellationTokenSource();
        var waiting = broker.Vhost.PublishAsync("", "q", MessageProperties.Empty, new byte[10], cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        disk.Open();
        await Task.WhenAll(early);
        Assert.Equal(early.Count, broker.Vhost.GetQueue("q").Messages);
    }

    [Fact]
    public async Task A_disk_below_the_free_space_limit_holds_publishers_back()
    {
        await using var broker = await TestBroker.StartAsync(configure: o => o with { DiskFreeLimitBytes = long.MaxValue });
        await broker.QueueAsync("q");

        Assert.True(broker.Broker.IsBlocked);
        using var cancel = new CancellationTokenSource(300);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await broker.PublishAsync("q", "x").AsTask().WaitAsync(cancel.Token));
    }

    [Fact]
    public async Task WaitWhileBlocked_completes_at_once_when_free_and_waits_while_blocked()
    {
        await using var free = await TestBroker.StartAsync();
        Assert.True(free.Broker.WaitWhileBlockedAsync(CancellationToken.None).IsCompletedSuccessfully);

        await using var full = await TestBroker.StartAsync(configure: o => o with { DiskFreeLimitBytes = long.MaxValue });
        Assert.True(full.Broker.IsBlocked);
        using var cancel = new CancellationTokenSource(200);
        var wait = full.Broker.WaitWhileBlockedAsync(cancel.Token);
        Assert.False(wait.IsCompleted);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
    }

    [Fact]
    public async Task A_publish_that_skips_the_flow_wait_is_stored_even_while_blocked()
    {
        await using var broker = await TestBroker.StartAsync(configure: o => o with { DiskFreeLimitBytes = long.MaxValue });
        await broker.QueueAsync("q");
        Assert.True(broker.Broker.IsBlocked);

        var outcome = await broker.Vhost.PublishAsync("", "q", PropertiesCodec.Encode(TestBroker.Persistent), TestBroker.Bytes("x"),
            mandatory: false, skipFlowWait: true, CancellationToken.None);

        Assert.Equal(PublishOutcome.Routed, outcome);
        Assert.Equal(["x"], await broker.DrainAsync("q"));
    }
}
