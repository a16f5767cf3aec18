using Xunit.Abstractions;

namespace Autonomy.Tests.Messaging.Engine;

/// <summary>
/// What settling costs in allocations, alone: deliveries are made first, then only the acks (or nacks) are measured,
/// on the thread that makes them (settling is synchronous; what the process's other threads allocate meanwhile, such
/// as timers of servers other tests leave winding down, is no part of it). Persistent messages in a durable queue, so
/// that each settlement writes its record to the log. The least of several rounds counts, and the tests run alone.
/// </summary>
[Collection(nameof(SettlementAllocationTests))]
public sealed class SettlementAllocationTests(ITestOutputHelper output)
{
    private const int Messages = 400;
    private const int Rounds = 5;

    // Below what a list with its array, an entry array, a wake set or a record buffer per settlement would cost
    // (together close to 1 KB per single ack before this path was freed of them), above what the journal may add now
    // and then: a watcher for a background append when its pool runs dry under a burst.
    private const double BytesPerSettlement = 64;

    [Fact]
    public async Task Acking_one_delivery_at_a_time_allocates_nothing_per_ack()
    {
        var perAck = await MeasureConsumerAcksAsync(multiple: false);
        output.WriteLine($"allocated per single ack: {perAck:F1} bytes");
        Assert.InRange(perAck, 0, BytesPerSettlement);
    }

    [Fact]
    public async Task Acking_many_deliveries_at_once_allocates_nothing_per_message()
    {
        var perMessage = await MeasureConsumerAcksAsync(multiple: true);
        output.WriteLine($"allocated per message acked 50 at a time: {perMessage:F1} bytes");
        Assert.InRange(perMessage, 0, BytesPerSettlement);
    }

    [Fact]
    public async Task Requeueing_one_delivery_at_a_time_allocates_nothing_per_nack()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        // One more than is taken stays ready, so that the queue never empties and gives up its storage: requeueing
        // then puts entries back where they were taken from, and only the settling itself is measured.
        await PublishAsync(broker, Messages + 1);
        await using var session = broker.Vhost.OpenSession(new object());
        var least = double.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            var tags = new List<ulong>();
            for (var i = 0; i < Messages; i++)
            {
                tags.Add((await session.GetAsync("q", noAck: false))!.DeliveryTag);
            }
            var before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var tag in tags)
            {
                session.Nack(tag, multiple: false, requeue: true);
            }
            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Messages);
        }
        output.WriteLine($"allocated per single nack with requeue: {least:F1} bytes");
        Assert.Equal(Messages + 1, broker.Vhost.GetQueue("q").Messages);
        Assert.Equal(0, session.UnackedCount);
        Assert.InRange(least, 0, BytesPerSettlement);
    }

    /// <summary>A consumer gets every message of a round, then they are acked (and only the acks measured).</summary>
    private static async Task<double> MeasureConsumerAcksAsync(bool multiple)
    {
        const int batch = 50;
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        await using var session = broker.Vhost.OpenSession(new object());
        var sink = new CollectingSink();
        await session.ConsumeAsync("q", "c", noAck: false, exclusive: false, null, sink);
        var least = double.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            await PublishAsync(broker, Messages);
            var tags = (await sink.TakeAsync(Messages)).ConvertAll(delivery => delivery.DeliveryTag);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < tags.Count; i++)
            {
                if (!multiple)
                {
                    session.Ack(tags[i], multiple: false);
                }
                else if ((i + 1) % batch == 0)
                {
                    session.Ack(tags[i], multiple: true);
                }
            }
            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Messages);
            Assert.Equal(0, session.UnackedCount);
        }
        Assert.Equal(0, broker.Vhost.GetQueue("q").Messages);
        Assert.Equal(Messages * Rounds, broker.Broker.Stats.Acknowledged);
        return least;
    }

    private static async Task PublishAsync(TestBroker broker, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await broker.PublishAsync("q", $"m{i}");
        }
    }

    [CollectionDefinition(nameof(SettlementAllocationTests), DisableParallelization = true)]
    public sealed class Alone;
}
