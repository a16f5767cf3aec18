using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

/// <summary>Measures the whole process's heap, so it runs alone: other tests' allocations would count as its own.</summary>
[Collection(nameof(MemoryBoundTests))]
public class MemoryBoundTests
{
    [CollectionDefinition(nameof(MemoryBoundTests), DisableParallelization = true)]
    public sealed class Alone;

    [Fact]
    public async Task A_deep_queue_keeps_its_bodies_on_disk_not_on_the_heap()
    {
        const int messages = 100_000;
        const int bodySize = 1024;
        const long cache = 2L << 20;
        await using var broker = await TestBroker.StartAsync(configure: o => o with { BodyCacheBytes = cache });
        await broker.QueueAsync("deep");
        var body = new byte[bodySize];
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var window = new List<Task>(256);
        for (var i = 0; i < messages; i++)
        {
            window.Add(broker.Vhost.PublishAsync("", "deep", MessageProperties.Empty, body).AsTask());
            if (window.Count == 256)
            {
                await Task.WhenAll(window);
                window.Clear();
            }
        }
        await Task.WhenAll(window);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(messages, broker.Vhost.GetQueue("deep").Ready);
        // The bodies are 100 MB; what stays is a small entry per message and the bounded cache.
        var growth = after - before;
        Assert.True(growth < cache + (messages * 120L), $"the heap grew by {growth / 1024} KiB for {messages} queued messages");

        // And they are all there to be read back from the log, in order.
        await using var session = broker.Vhost.OpenSession();
        for (var i = 0; i < messages; i += 997)
        {
            var delivery = await session.GetAsync("deep", noAck: true);
            Assert.Equal(bodySize, delivery!.Body.Length);
        }
    }
}
