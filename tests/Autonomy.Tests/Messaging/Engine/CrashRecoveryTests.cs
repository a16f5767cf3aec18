using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Tests.Messaging.Engine;

/// <summary>
/// The disk stops at many different points while messages are published and acknowledged, and the machine loses
/// everything that was not fsynced. After each crash: every publish that completed is there, nothing is invented,
/// nothing is there twice, and an acknowledgement made before a later publish completed is not undone (the log is
/// in order, so that publish's fsync made it durable too). Acks not followed by a completed publish may be undone:
/// at-least-once.
/// </summary>
public class CrashRecoveryTests
{
    [Theory]
    [InlineData(0, 40)]
    [InlineData(40, 80)]
    [InlineData(80, 130)]
    public async Task Sequential_publishes_and_acks_survive_a_crash_at_every_point(int from, int to)
    {
        var runs = new List<(int Confirmed, int Published)>();
        for (var point = from; point < to; point++)
        {
            runs.Add(await RunAsync(point, concurrent: false));
        }
        AssertCrashesHappened(runs);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(30, 60)]
    public async Task Concurrent_publishes_survive_a_crash_at_every_point(int from, int to)
    {
        var runs = new List<(int Confirmed, int Published)>();
        for (var point = from; point < to; point++)
        {
            runs.Add(await RunAsync(point, concurrent: true));
        }
        AssertCrashesHappened(runs);
    }

    [Theory]
    [InlineData(0, 45)]
    [InlineData(45, 90)]
    public async Task Messages_acked_before_their_publish_is_confirmed_survive_a_crash_at_every_point(int from, int to)
    {
        var runs = new List<(int Confirmed, int Published)>();
        for (var point = from; point < to; point++)
        {
            runs.Add(await RunAckingEarlyAsync(point));
        }
        AssertCrashesHappened(runs);
    }

    /// <summary>The points must fall inside the work, not all before or after it, or the test proves nothing.</summary>
    private static void AssertCrashesHappened(List<(int Confirmed, int Published)> runs)
    {
        Assert.Contains(runs, r => r.Confirmed > 0);
        Assert.Contains(runs, r => r.Confirmed < r.Published);
    }

    private static async Task<(int Confirmed, int Published)> RunAsync(int point, bool concurrent)
    {
        var disk = new CrashingLogFileSystem();
        await using var broker = await TestBroker.StartAsync(files: disk);
        await broker.QueueAsync("q");
        await broker.QueueAsync("other");
        await broker.Vhost.BindQueueAsync("q", "amq.fanout", "");
        await broker.Vhost.BindQueueAsync("other", "amq.fanout", "");
        disk.FailAfter(point);

        var published = new HashSet<string>();
        var confirmed = new HashSet<string>();
        var ackedThenConfirmed = new HashSet<string>();
        var ackedSinceLastConfirm = new List<string>();
        var session = broker.Vhost.OpenSession();
        try
        {
            for (var round = 0; round < (concurrent ? 25 : 60); round++)
            {
                var bodies = Enumerable.Range(0, concurrent ? 6 : 1).Select(i => $"r{round}-{i}").ToList();
                published.UnionWith(bodies);
                var results = await Task.WhenAll(bodies.Select(async body =>
                {
                    try
                    {
                        await broker.Vhost.PublishAsync("amq.fanout", "", TestBroker.Persistent, TestBroker.Bytes(body));
                        return body;
                    }
                    catch (Exception error) when (error is IOException or ObjectDisposedException)
                    {
                        return null;
                    }
                }));
                var completed = results.OfType<string>().ToList();
                if (completed.Count > 0)
                {
                    confirmed.UnionWith(completed);
                    ackedThenConfirmed.UnionWith(ackedSinceLastConfirm);
                    ackedSinceLastConfirm.Clear();
                }
                if (completed.Count < bodies.Count)
                {
                    break;
                }
                if (round % 2 == 1 && await session.GetAsync("q", noAck: false) is { } delivery)
                {
                    session.Ack(delivery.DeliveryTag, multiple: false);
                    ackedSinceLastConfirm.Add(TestBroker.Text(delivery));
                }
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // The disk stopped mid-way through a get or an ack.
        }

        await RecoveryTests.CrashAsync(broker, disk, new Random(point));

        var recovered = new List<(string Body, bool Redelivered)>();
        await using (var reader = broker.Vhost.OpenSession())
        {
            while (await reader.GetAsync("q", noAck: true) is { } delivery)
            {
                recovered.Add((TestBroker.Text(delivery), delivery.Redelivered));
            }
        }
        var bodiesBack = recovered.Select(r => r.Body).ToList();
        var context = $"crash after {point} disk operations ({(concurrent ? "concurrent" : "sequential")}): recovered [{string.Join(", ", bodiesBack)}]";
        Assert.True(bodiesBack.Distinct().Count() == bodiesBack.Count, $"a message came back twice; {context}");
        Assert.True(bodiesBack.All(published.Contains), $"a message nobody published came back; {context}");
        foreach (var body in confirmed.Except(ackedThenConfirmed).Except(ackedSinceLastConfirm))
        {
            Assert.True(bodiesBack.Contains(body), $"the confirmed message {body} was lost; {context}");
        }
        foreach (var body in ackedThenConfirmed)
        {
            Assert.False(bodiesBack.Contains(body), $"{body}, acknowledged before a later publish was confirmed, came back; {context}");
        }
        Assert.All(recovered, r => Assert.True(r.Redelivered, $"{r.Body} was not marked redelivered after a crash; {context}"));
        // The second queue got every confirmed message too: one record served both.
        var other = await broker.DrainAsync("other");
        Assert.True(confirmed.All(other.Contains), $"the fanout copy lost a confirmed message; {context}");
        return (confirmed.Count, published.Count);
    }
    /// <summary>
    /// Each message is taken and acked while its publish still waits for its fsync (consumers see a message before it
    /// is durable), and the segments are small so that acks and the messages they settle fall in different files.
    /// After a crash: no confirmed message that was not acked is lost; an ack followed by a publish issued after it
    /// and confirmed stays (that fsync covered it); nothing comes back twice or uninvented.
    /// </summary>
    private static async Task<(int Confirmed, int Published)> RunAckingEarlyAsync(int point)
    {
        var disk = new CrashingLogFileSystem();
        await using var broker = await TestBroker.StartAsync(files: disk, configure: o => o with { SegmentBytes = 4096 });
        await broker.QueueAsync("q");
        disk.FailAfter(point);

        var published = new HashSet<string>();
        var confirmed = new HashSet<string>();
        var acked = new HashSet<string>();
        var ackedThenConfirmed = new HashSet<string>();
        var ackedBefore = new List<string>();
        var session = broker.Vhost.OpenSession();
        try
        {
            for (var round = 0; round < 40; round++)
            {
                var body = $"m{round}";
                published.Add(body);
                // Acks made before this publish was issued are in the log ahead of it: its fsync makes them durable.
                var earlier = ackedBefore.ToList();
                var publish = broker.Vhost.PublishAsync("", "q", TestBroker.Persistent, TestBroker.Bytes(Padded(body)));
                if (await session.GetAsync("q", noAck: false) is { } delivery)
                {
                    session.Ack(delivery.DeliveryTag, multiple: false);
                    acked.Add(Unpadded(delivery));
                    ackedBefore.Add(Unpadded(delivery));
                }
                try
                {
                    await publish;
                }
                catch (Exception error) when (error is IOException or ObjectDisposedException)
                {
                    break;
                }
                confirmed.Add(body);
                ackedThenConfirmed.UnionWith(earlier);
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // The disk stopped mid-way through a get or an ack.
        }

        await RecoveryTests.CrashAsync(broker, disk, new Random(point));

        var recovered = new List<string>();
        await using (var reader = broker.Vhost.OpenSession())
        {
            while (await reader.GetAsync("q", noAck: true) is { } delivery)
            {
                recovered.Add(Unpadded(delivery));
            }
        }
        var context = $"crash after {point} disk operations (acking before confirms): recovered [{string.Join(", ", recovered)}]";
        Assert.True(recovered.Distinct().Count() == recovered.Count, $"a message came back twice; {context}");
        Assert.True(recovered.All(published.Contains), $"a message nobody published came back; {context}");
        foreach (var body in confirmed.Except(acked))
        {
            Assert.True(recovered.Contains(body), $"the confirmed message {body} was lost; {context}");
        }
        foreach (var body in ackedThenConfirmed)
        {
            Assert.False(recovered.Contains(body), $"{body}, acknowledged before a later publish was confirmed, came back; {context}");
        }
        // And the broker goes on: a message published now is stored and read back after a restart.
        await broker.Vhost.PublishAsync("", "q", TestBroker.Persistent, TestBroker.Bytes("after"));
        await broker.RestartAsync();
        Assert.Equal(["after"], await broker.DrainAsync("q"));
        return (confirmed.Count, published.Count);
    }

    // About five messages to a 4 KB segment.
    private static string Padded(string body) => body.PadRight(700, '.');

    private static string Unpadded(Autonomy.Server.Messaging.Model.Delivery delivery) => TestBroker.Text(delivery).TrimEnd('.');
}
