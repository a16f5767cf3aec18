using System.Collections.Concurrent;
using Autonomy.Server.Messaging.Storage;
using Autonomy.Tests.TestUtilities;
using static Autonomy.Tests.Messaging.Storage.LogTesting;

namespace Autonomy.Tests.Messaging.Storage;

/// <summary>
/// Segments go once nothing needs them: not while a queue entry in them is unsettled, not while they hold the ack
/// of a message in a segment that still exists, never the one being appended to; and after a restart (clean or
/// crashed) no settled message comes back as live.
/// </summary>
public sealed class SegmentDeletionTests : IDisposable
{
    private const string Directory = "/broker/log";
    private const int SegmentBytes = 4096;
    private readonly TempProject _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ASegmentIsDeletedOnceItsLastEntryIsSettledButNeverTheActiveOne()
    {
        var disk = new CrashingLogFileSystem();
        var (log, queue) = await LogQueue.OpenAsync(Directory, disk, SegmentBytes);
        await using var _ = log;
        for (var id = 1; id <= 50; id++)
        {
            await queue.PublishAsync(log, id);
        }
        var bySegment = queue.Live.GroupBy(m => m.Value.Segment).OrderBy(g => g.Key).ToList();
        Assert.True(bySegment.Count >= 3);
        var first = bySegment[0];

        // All but one message of the first segment settled: it stays.
        foreach (var message in first.Skip(1))
        {
            await queue.AckAsync(log, message.Key);
        }
        await log.CollectSegmentsAsync();
        Assert.True(disk.Exists(SegmentPath(first.Key)));

        await queue.AckAsync(log, first.First().Key);
        await log.CollectSegmentsAsync();
        Assert.False(disk.Exists(SegmentPath(first.Key)));
        Assert.Null(log.LiveReferences(first.Key));
        Assert.Equal(1, log.Stats.DeletedSegments);

        // Everything settled: only the segment being appended to is left.
        foreach (var id in queue.Live.Keys.ToList())
        {
            await queue.AckAsync(log, id);
        }
        await log.CollectSegmentsAsync();
        var active = (await log.AppendAsync(Payload(0), durable: true)).Segment;
        Assert.Equal([Path.GetFileName(SegmentPath(active))], disk.ListFiles(Directory));
        Assert.Equal(1, log.Stats.Segments);
    }

    [Fact]
    public async Task ASegmentOfAcksStaysWhileTheSegmentItSettlesLivesAndBothGoInOrderAfter()
    {
        var disk = new CrashingLogFileSystem();
        var files = new ObservedLogFileSystem(disk);
        var (log, queue) = await LogQueue.OpenAsync(Directory, files, SegmentBytes);
        // Segment 1: messages 1..10 (3 of them stay unsettled for a while).
        for (var id = 1; id <= 10; id++)
        {
            await queue.PublishAsync(log, id);
        }
        // Segment 2 onwards: acks of 1..7 and filler that nothing retains, sealed by a rollover.
        var acks = new List<LogPosition>();
        await log.AppendAsync(new byte[SegmentBytes - 1000], durable: true);
        for (var id = 1; id <= 7; id++)
        {
            acks.Add((await queue.AckAsync(log, id))!.Value);
        }
        var ackSegment = acks[0].Segment;
        Assert.Equal(2, ackSegment);
        Assert.All(acks, a => Assert.Equal(ackSegment, a.Segment));
        await log.AppendAsync(new byte[SegmentBytes - 200], durable: true);
        await log.AppendAsync(new byte[SegmentBytes - 200], durable: true);

        await log.CollectSegmentsAsync();
        // Deleting segment 2 now would bring messages 1..7 back after a restart.
        Assert.True(disk.Exists(SegmentPath(1)));
        Assert.True(disk.Exists(SegmentPath(ackSegment)));

        var before = files.Operations.Count;
        for (var id = 8; id <= 10; id++)
        {
            await queue.AckAsync(log, id);
        }
        await log.CollectSegmentsAsync();
        Assert.False(disk.Exists(SegmentPath(1)));
        Assert.False(disk.Exists(SegmentPath(ackSegment)));
        // The settled segment's deletion is durable before its acks' segment is deleted.
        var operations = files.Operations.Skip(before).ToList();
        var deleteFirst = operations.IndexOf($"delete {Path.GetFileName(SegmentPath(1))}");
        var deleteAcks = operations.IndexOf($"delete {Path.GetFileName(SegmentPath(ackSegment))}");
        Assert.InRange(deleteFirst, 0, deleteAcks);
        Assert.Contains("sync directory", operations.Skip(deleteFirst).Take(deleteAcks - deleteFirst));
        await log.DisposeAsync();

        var (reopened, recovered) = await LogQueue.OpenAsync(Directory, disk, SegmentBytes);
        await reopened.DisposeAsync();
        Assert.Empty(recovered.Live);
    }

    [Fact]
    public async Task AfterReopeningOnlyUnsettledMessagesAreLiveAndSettledSegmentsGo()
    {
        var directory = Path.Combine(_folder.Directory, "log");
        var files = new OsLogFileSystem();
        var (log, queue) = await LogQueue.OpenAsync(directory, files, SegmentBytes);
        var next = 1L;
        // Publishers and consumers at once, as the engine would have them, over many segments.
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var mine = new Random(w);
            for (var i = 0; i < 150; i++)
            {
                await queue.PublishAsync(log, Interlocked.Increment(ref next), durable: mine.Next(3) > 0);
                if (mine.Next(10) < 8 && queue.Live.Keys.FirstOrDefault(k => k % 4 == w) is var id and > 0)
                {
                    await queue.AckAsync(log, id, durable: mine.Next(2) > 0);
                }
            }
        })).ToList();
        // Readers at the same time: a live message reads back whole; one settled meanwhile may be gone, never wrong.
        var reads = 0;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            while (workers.Any(w => !w.IsCompleted))
            {
                foreach (var (id, position) in queue.Live.Take(20).ToList())
                {
                    try
                    {
                        Assert.Equal(LogQueue.Record(1, id, 200), await log.ReadAsync(position));
                        Interlocked.Increment(ref reads);
                    }
                    catch (IOException) when (!queue.Live.ContainsKey(id))
                    {
                    }
                }
            }
        })).ToList();
        await Task.WhenAll(workers.Concat(readers));
        Assert.True(reads > 0);
        await log.CollectSegmentsAsync();
        var expected = queue.Live.ToDictionary();
        var segmentsBefore = log.Stats.Segments;
        var deleted = log.Stats.DeletedSegments;
        Assert.True(deleted > 0, "no segment was ever deleted");
        foreach (var (id, position) in expected)
        {
            Assert.Equal(LogQueue.Record(1, id, 200), await log.ReadAsync(position));
        }
        await log.DisposeAsync();

        var (reopened, recovered) = await LogQueue.OpenAsync(directory, files, SegmentBytes);
        await using var _ = reopened;
        Assert.Equal(expected.OrderBy(e => e.Key), recovered.Live.OrderBy(e => e.Key));
        Assert.Equal(expected.Count, reopened.Stats.LiveReferences);
        await reopened.CollectSegmentsAsync();
        Assert.True(reopened.Stats.Segments <= segmentsBefore);
        Assert.Equal(reopened.Stats.Segments, System.IO.Directory.GetFiles(directory).Length);
    }

    [Fact]
    public async Task NoSettledMessageComesBackAfterACrashAtAnyPoint()
    {
        for (var failAfter = 0; failAfter <= 120; failAfter += 2)
        {
            var disk = new CrashingLogFileSystem();
            var (log, queue) = await LogQueue.OpenAsync(Directory, disk, SegmentBytes);
            var published = new ConcurrentDictionary<long, bool>();
            var durablyPublished = new ConcurrentDictionary<long, bool>();
            var durablySettled = new ConcurrentDictionary<long, bool>();
            var ackAttempted = new ConcurrentDictionary<long, bool>();
            for (var id = 1; id <= 30; id++)
            {
                await queue.PublishAsync(log, id);
                published[id] = durablyPublished[id] = true;
            }
            disk.FailAfter(failAfter);
            var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var mine = new Random(failAfter * 10 + w);
                try
                {
                    for (var i = 0; i < 100; i++)
                    {
                        var id = 1000 + w * 1000 + i;
                        var durable = mine.Next(4) > 0;
                        published[id] = true;
                        await queue.PublishAsync(log, id, durable);
                        if (durable)
                        {
                            durablyPublished[id] = true;
                        }
                        var settle = queue.Live.Keys.Where(k => k % 4 == w).Take(2).ToList();
                        foreach (var victim in settle)
                        {
                            ackAttempted[victim] = true;
                            var ackDurable = mine.Next(3) > 0;
                            if (await queue.AckAsync(log, victim, ackDurable) is not null && ackDurable)
                            {
                                durablySettled[victim] = true;
                            }
                        }
                    }
                }
                catch (IOException)
                {
                }
            })).ToList();
            await Task.WhenAll(workers);
            await log.DisposeAsync();
            disk.Crash(new Random(failAfter));

            var (reopened, recovered) = await LogQueue.OpenAsync(Directory, disk, SegmentBytes);
            await reopened.CollectSegmentsAsync();
            await reopened.DisposeAsync();
            var context = $"crash after {failAfter} operations";
            var live = recovered.Live.Keys.ToHashSet();
            Assert.True(live.IsSubsetOf(published.Keys), $"a message that was never published came back ({context})");
            var resurrected = live.Intersect(durablySettled.Keys).ToList();
            Assert.True(resurrected.Count == 0, $"settled messages came back: {string.Join(", ", resurrected)} ({context})");
            var lost = durablyPublished.Keys.Except(ackAttempted.Keys).Except(live).ToList();
            Assert.True(lost.Count == 0, $"unsettled messages were lost: {string.Join(", ", lost)} ({context})");
        }
    }

    private static string SegmentPath(long segment) => $"{Directory}/{segment:D20}.seg";
}
