using Autonomy.Server.Messaging.Storage;
using Autonomy.Tests.TestUtilities;
using static Autonomy.Tests.Messaging.Storage.LogTesting;

namespace Autonomy.Tests.Messaging.Storage;

/// <summary>Records written on the real disk come back byte for byte, by position and through recovery.</summary>
public sealed class MessageLogRoundTripTests : IDisposable
{
    private readonly TempProject _folder = new();

    private string LogDirectory => Path.Combine(_folder.Directory, "broker", "log");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RecordsAreReadBackAndReplayedInOrderAfterReopening()
    {
        var files = new OsLogFileSystem();
        var (log, replayed) = await OpenAsync(LogDirectory, files);
        Assert.Empty(replayed);
        var payloads = Enumerable.Range(1, 50).Select(i => Payload(i, i * 37)).Append([]).ToList();
        var positions = new List<LogPosition>();
        foreach (var payload in payloads)
        {
            positions.Add(await log.AppendAsync(payload, durable: true));
        }
        Assert.Equal(Enumerable.Repeat(1L, payloads.Count), positions.Select(p => p.Segment));
        Assert.Equal(positions.OrderBy(p => p.Offset), positions);
        for (var i = 0; i < payloads.Count; i++)
        {
            Assert.Equal(payloads[i], await log.ReadAsync(positions[i]));
        }
        await log.DisposeAsync();

        var (reopened, again) = await OpenAsync(LogDirectory, files);
        await using (reopened)
        {
            Assert.Equal(positions, again.Select(r => r.Position));
            Assert.Equal(payloads, again.Select(r => r.Payload));
            Assert.Equal(payloads.Count, reopened.Stats.ReplayedRecords);
            Assert.Equal(0, reopened.Stats.TruncatedBytes);
            var next = await reopened.AppendAsync(Payload(99), durable: true);
            Assert.Equal(new LogPosition(1, positions[^1].Offset + 16), next);
            Assert.Equal(Payload(99), await reopened.ReadAsync(next));
        }
    }

    [Fact]
    public async Task ManyRecordsInOneCallLieSideBySideInOneSegment()
    {
        var (log, _) = await OpenAsync(LogDirectory, new OsLogFileSystem(), segmentBytes: 4096);
        await using var _ = log;
        await log.AppendAsync(Payload(1, 3000), durable: true);
        // Would cross the 4 KiB boundary: all three go to the next segment together.
        var payloads = new ReadOnlyMemory<byte>[] { Payload(2, 500), Payload(3, 700), Payload(4, 10) };
        var positions = await log.AppendAsync(payloads, durable: true, refersTo: 1);
        Assert.Equal([new(2, 32), new(2, 32 + 516), new(2, 32 + 516 + 716)], positions);
        for (var i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(payloads[i].ToArray(), await log.ReadAsync(positions[i]));
        }
        Assert.Empty(await log.AppendAsync(Array.Empty<ReadOnlyMemory<byte>>(), durable: true));
    }

    [Fact]
    public async Task ARecordLargerThanASegmentGetsASegmentOfItsOwn()
    {
        var (log, _) = await OpenAsync(LogDirectory, new OsLogFileSystem(), segmentBytes: 4096);
        var small = await log.AppendAsync(Payload(1), durable: true);
        var large = await log.AppendAsync(Payload(2, 10_000), durable: true);
        var after = await log.AppendAsync(Payload(3), durable: true);
        Assert.Equal([1L, 2, 3], new[] { small.Segment, large.Segment, after.Segment });
        Assert.Equal(Payload(2, 10_000), await log.ReadAsync(large));
        await log.DisposeAsync();
        var (reopened, replayed) = await OpenAsync(LogDirectory, new OsLogFileSystem(), segmentBytes: 4096);
        await reopened.DisposeAsync();
        Assert.Equal([1L, 2, 3], replayed.Select(r => r.Id));
    }

    [Fact]
    public async Task SegmentsAreOwnerOnlyFilesNamedByTheirNumberInAnOwnerOnlyDirectory()
    {
        var (log, _) = await OpenAsync(LogDirectory, new OsLogFileSystem());
        await log.AppendAsync(Payload(1), durable: true);
        await log.DisposeAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(LogDirectory));
        var segment = Assert.Single(Directory.GetFiles(LogDirectory));
        Assert.Equal("00000000000000000001.seg", Path.GetFileName(segment));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(segment));
    }

    [Fact]
    public async Task ASecondLogOnTheSameDirectoryIsRefusedWhileTheFirstIsOpen()
    {
        var (log, _) = await OpenAsync(LogDirectory, new OsLogFileSystem());
        await using var _ = log;
        await log.AppendAsync(Payload(1), durable: true);
        await Assert.ThrowsAnyAsync<IOException>(() => OpenAsync(LogDirectory, new OsLogFileSystem()));
    }

    [Fact]
    public async Task BadArgumentsAreRefusedWithTheirName()
    {
        var (log, _) = await OpenAsync(LogDirectory, new OsLogFileSystem());
        await using var _ = log;
        Assert.Equal("refersTo", Assert.Throws<ArgumentOutOfRangeException>(() => log.AppendAsync(Payload(1), true, refersTo: 0)).ParamName);
        Assert.Throws<ArgumentException>(() => log.AppendAsync(new byte[(128 << 20) + 1], true));
        Assert.Throws<InvalidOperationException>(() => log.Retain(7));
        var position = await log.AppendAsync(Payload(1), durable: true);
        log.Retain(position.Segment, 2);
        log.Release(position.Segment, 2);
        Assert.Throws<InvalidOperationException>(() => log.Release(position.Segment));
        await Assert.ThrowsAsync<ArgumentException>(() => MessageLog.OpenAsync(LogDirectory + "2", new OsLogFileSystem(),
            new MessageLogOptions { SegmentBytes = 100 }, (_, _) => { }));
    }
}
