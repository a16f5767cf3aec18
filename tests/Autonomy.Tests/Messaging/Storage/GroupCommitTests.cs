using Autonomy.Server.Messaging.Storage;
using static Autonomy.Tests.Messaging.Storage.LogTesting;

namespace Autonomy.Tests.Messaging.Storage;

/// <summary>Concurrent durable appends share fsyncs; non-durable appends never wait for one.</summary>
public sealed class GroupCommitTests
{
    private const string Directory = "/broker/log";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AppendsMadeWhileAnFsyncRunsAreMadeDurableTogetherByTheNextOne()
    {
        var disk = new CrashingLogFileSystem();
        var files = new ObservedLogFileSystem(disk);
        var (log, _) = await OpenAsync(Directory, files);
        await using var _ = log;
        await log.AppendAsync(Payload(0), durable: true);

        using var fsyncRunning = new ManualResetEventSlim();
        using var fsyncMayFinish = new ManualResetEventSlim();
        files.BeforeFlush = () =>
        {
            fsyncRunning.Set();
            fsyncMayFinish.Wait(Patience);
        };
        var first = log.AppendAsync(Payload(1), durable: true).AsTask();
        Assert.True(fsyncRunning.Wait(Patience));
        var fsyncsBefore = disk.Flushes;
        var writesBefore = disk.Writes;

        var during = Enumerable.Range(2, 63).Select(i => Task.Run(() => log.AppendAsync(Payload(i), durable: true).AsTask())).ToList();
        // All 63 are placed and written while the first fsync is still held, and none completes.
        Assert.True(SpinWait.SpinUntil(() => log.Stats.Records == 65 && disk.BytesWritten >= 65 * 116 + 32, Patience));
        Assert.False(first.IsCompleted);
        Assert.DoesNotContain(during, t => t.IsCompleted);
        Assert.InRange(disk.Writes - writesBefore, 1, 63);

        files.BeforeFlush = null;
        fsyncMayFinish.Set();
        var positions = await Task.WhenAll(during.Prepend(first));
        Assert.Equal(64, positions.Distinct().Count());
        // The held fsync, then one for the 63: not one each.
        Assert.Equal(2, disk.Flushes - fsyncsBefore);
    }

    [Fact]
    public async Task ManyConcurrentDurableAppendersCostAboutOneFsyncPerRoundNotPerRecord()
    {
        const int appenders = 64;
        const int rounds = 20;
        var disk = new CrashingLogFileSystem();
        var files = new ObservedLogFileSystem(disk);
        var (log, _) = await OpenAsync(Directory, files);
        await log.AppendAsync(Payload(-1), durable: true);
        var fsyncsBefore = log.Stats.Fsyncs;
        const int recordBytes = 16 + 1000;
        var active = appenders;
        var header = disk.BytesWritten;
        // The disk is "slow" until every appender still running waits on a record that has been written: then an
        // fsync covers whatever the sync thread took before it, and the next one all the rest, whatever the
        // machine's speed.
        files.BeforeFlush = () => SpinWait.SpinUntil(() =>
        {
            var stats = log.Stats;
            return stats.PendingDurableAppends >= Volatile.Read(ref active)
                && disk.BytesWritten >= header + (stats.Records - 1) * recordBytes;
        }, Patience);

        var tasks = Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                await log.AppendAsync(Payload(a * 1000 + round, 1000), durable: true);
            }
            Interlocked.Decrement(ref active);
        })).ToList();
        await Task.WhenAll(tasks).WaitAsync(Patience);
        files.BeforeFlush = null;
        var stats = log.Stats;
        await log.DisposeAsync();

        Assert.Equal(appenders * rounds + 1, stats.Records);
        // One or two fsyncs per round (the sync thread may have taken the first record written before the others
        // were): not one per record (1280 here).
        Assert.InRange(stats.Fsyncs - fsyncsBefore, rounds, 2 * rounds);
        Assert.Equal(stats.Fsyncs, disk.Flushes);

        var (reopened, replayed) = await OpenAsync(Directory, disk);
        await reopened.DisposeAsync();
        Assert.Equal(appenders * rounds + 1, replayed.Count);
        Assert.All(replayed.Skip(1), r => Assert.Equal(Payload(r.Id, 1000), r.Payload));
    }

    [Fact]
    public async Task ANonDurableAppendCompletesWhileAnFsyncIsHeldAndADurableOneWaitsForIt()
    {
        var disk = new CrashingLogFileSystem();
        var files = new ObservedLogFileSystem(disk);
        var (log, _) = await OpenAsync(Directory, files);
        await log.AppendAsync(Payload(0), durable: true);

        using var fsyncMayFinish = new ManualResetEventSlim();
        files.BeforeFlush = () => fsyncMayFinish.Wait(Patience);
        var durable = log.AppendAsync(Payload(1), durable: true).AsTask();
        var quick = await log.AppendAsync(Payload(2), durable: false).AsTask().WaitAsync(Patience);
        var more = await log.AppendAsync([Payload(3), Payload(4)], durable: false).AsTask().WaitAsync(Patience);
        Assert.False(durable.IsCompleted);
        Assert.Equal(Payload(2), await log.ReadAsync(quick));
        Assert.Equal(Payload(4), await log.ReadAsync(more[1]));

        files.BeforeFlush = null;
        fsyncMayFinish.Set();
        var position = await durable.WaitAsync(Patience);
        Assert.True(position.Offset < quick.Offset);
        await log.DisposeAsync();

        // Closing syncs what was written: a clean shutdown keeps the non-durable records too.
        disk.Crash();
        var (reopened, replayed) = await OpenAsync(Directory, disk);
        await reopened.DisposeAsync();
        Assert.Equal([0L, 1, 2, 3, 4], replayed.Select(r => r.Id));
    }

    [Fact]
    public async Task NonDurableAppendsAloneCauseNoFsync()
    {
        var disk = new CrashingLogFileSystem();
        var (log, _) = await OpenAsync(Directory, disk);
        await log.AppendAsync(Payload(0), durable: true);
        var before = disk.Flushes;
        for (var i = 1; i <= 100; i++)
        {
            await log.AppendAsync(Payload(i), durable: false);
        }
        Assert.Equal(before, disk.Flushes);
        await log.AppendAsync(Payload(101), durable: true);
        Assert.Equal(before + 1, disk.Flushes);
        await log.DisposeAsync();
    }
}
