using System.Collections.Concurrent;
using Autonomy.Server.Messaging.Storage;
using static Autonomy.Tests.Messaging.Storage.LogTesting;

namespace Autonomy.Tests.Messaging.Storage;

/// <summary>
/// The machine stops after the n-th disk operation while appenders run, for every n up to well past a few segment
/// rollovers, and comes back with a random part of the unsynced writes on disk: every append that was acknowledged
/// as durable is replayed byte for byte, and nothing appears that was not really appended.
/// </summary>
public sealed class CrashTests
{
    private const string Directory = "/broker/log";
    private const int SegmentBytes = 4096;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EveryAcknowledgedDurableAppendSurvivesACrashAtAnyPoint(int seed)
    {
        for (var failAfter = 0; failAfter <= 80; failAfter++)
        {
            await CrashOnceAsync(seed, failAfter);
        }
    }

    private static async Task CrashOnceAsync(int seed, int failAfter)
    {
        var random = new Random(seed * 1000 + failAfter);
        var disk = new CrashingLogFileSystem();
        var appended = new ConcurrentDictionary<long, byte[]>();
        var acknowledged = new ConcurrentDictionary<long, bool>();

        // Some history, so that recovery also finds sealed segments and a partly filled one.
        var (log, _) = await OpenAsync(Directory, disk, SegmentBytes);
        for (var id = 1; id <= 20; id++)
        {
            appended[id] = Payload(id, random.Next(8, 600));
            await log.AppendAsync(appended[id], durable: true);
            acknowledged[id] = true;
        }
        await log.DisposeAsync();
        (log, _) = await OpenAsync(Directory, disk, SegmentBytes);

        disk.FailAfter(failAfter);
        var appenders = Enumerable.Range(1, 8).Select(a => Task.Run(async () =>
        {
            var mine = new Random(seed * 7919 + failAfter * 31 + a);
            for (var i = 0; i < 300; i += 3)
            {
                var id = a * 1_000_000L + i;
                var durable = mine.Next(4) > 0;
                try
                {
                    if (mine.Next(5) == 0)
                    {
                        var payloads = new[] { id, id + 1, id + 2 }.Select(x => appended[x] = Payload(x, mine.Next(8, 400))).ToArray();
                        await log.AppendAsync(payloads.Select(p => (ReadOnlyMemory<byte>)p).ToList(), durable, refersTo: 1);
                        if (durable)
                        {
                            acknowledged[id] = acknowledged[id + 1] = acknowledged[id + 2] = true;
                        }
                    }
                    else
                    {
                        appended[id] = Payload(id, mine.Next(8, 900));
                        await log.AppendAsync(appended[id], durable);
                        if (durable)
                        {
                            acknowledged[id] = true;
                        }
                    }
                }
                catch (IOException)
                {
                    return;
                }
            }
        })).ToList();
        await Task.WhenAll(appenders).WaitAsync(Patience);
        await log.DisposeAsync().AsTask().WaitAsync(Patience);

        disk.Crash(random);
        // Sometimes the machine stops again while recovering (while cutting the torn tail, say), and recovers again.
        if (random.Next(3) == 0)
        {
            disk.FailAfter(random.Next(0, 3));
            try
            {
                var (interrupted, _) = await OpenAsync(Directory, disk, SegmentBytes);
                await interrupted.DisposeAsync();
            }
            catch (IOException)
            {
            }
            disk.Crash(random);
        }

        var (reopened, replayed) = await OpenAsync(Directory, disk, SegmentBytes);
        var ids = replayed.Select(r => r.Id).ToList();
        var context = $"seed {seed}, crash after {failAfter} operations";
        Assert.True(ids.Count == ids.Distinct().Count(), $"a record was replayed twice ({context})");
        foreach (var record in replayed)
        {
            Assert.True(appended.TryGetValue(record.Id, out var payload), $"record {record.Id} was never appended ({context})");
            Assert.True(payload.AsSpan().SequenceEqual(record.Payload), $"record {record.Id} differs ({context})");
        }
        var missing = acknowledged.Keys.Except(ids).ToList();
        Assert.True(missing.Count == 0, $"acknowledged records lost: {string.Join(", ", missing.Take(10))} ({context})");
        Assert.Equal(replayed.Select(r => r.Position).Order(), replayed.Select(r => r.Position));

        // The recovered log takes appends where the whole records end, and they survive the next crash.
        var next = await reopened.AppendAsync(Payload(-1, 300), durable: true);
        Assert.Equal(Payload(-1, 300), await reopened.ReadAsync(next));
        disk.Crash();
        var (again, replayedAgain) = await OpenAsync(Directory, disk, SegmentBytes);
        await again.DisposeAsync();
        Assert.Equal([.. ids, -1], replayedAgain.Select(r => r.Id));
    }
}
