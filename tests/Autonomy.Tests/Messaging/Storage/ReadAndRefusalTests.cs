using Autonomy.Server.Messaging.Storage;
using Autonomy.Tests.TestUtilities;
using static Autonomy.Tests.Messaging.Storage.LogTesting;

namespace Autonomy.Tests.Messaging.Storage;

/// <summary>
/// Reads check what they return and say which file and offset went wrong; positions never land in the wrong
/// segment, even after deletions and restarts; files that are not this log's segments are refused, not read.
/// </summary>
public sealed class ReadAndRefusalTests : IDisposable
{
    private const string Directory = "/broker/log";
    private readonly TempProject _folder = new();

    private string RealDirectory => Path.Combine(_folder.Directory, "log");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task AReadOfADamagedRecordIsAnIOExceptionNamingTheFileAndOffset()
    {
        var disk = new CrashingLogFileSystem();
        var (log, _) = await OpenAsync(Directory, disk);
        await using var _ = log;
        var positions = new List<LogPosition>();
        for (var id = 1; id <= 5; id++)
        {
            positions.Add(await log.AppendAsync(Payload(id, 5000), durable: true));
        }
        var path = $"{Directory}/00000000000000000001.seg";
        using (var file = disk.Open(path, create: false))
        {
            file.Write([0xFF], positions[2].Offset + 16 + 4500);
        }
        var error = await Assert.ThrowsAsync<IOException>(() => log.ReadAsync(positions[2]).AsTask());
        Assert.Contains(path, error.Message);
        Assert.Contains($"offset {positions[2].Offset}", error.Message);
        Assert.Contains("checksum", error.Message);

        // Not a record's start, inside the header, past the end: refused, never garbage.
        await Assert.ThrowsAsync<IOException>(() => log.ReadAsync(positions[1] with { Offset = positions[1].Offset + 8 }).AsTask());
        await Assert.ThrowsAsync<IOException>(() => log.ReadAsync(new LogPosition(1, 4)).AsTask());
        await Assert.ThrowsAsync<IOException>(() => log.ReadAsync(new LogPosition(1, 1 << 20)).AsTask());
        Assert.Equal(Payload(4, 5000), await log.ReadAsync(positions[3]));
    }

    [Fact]
    public async Task PositionsInDeletedSegmentsAreRefusedAndNumbersAreNeverReused()
    {
        var files = new OsLogFileSystem();
        var (log, queue) = await LogQueue.OpenAsync(RealDirectory, files, 4096);
        var old = new List<LogPosition>();
        for (var id = 1; id <= 40; id++)
        {
            old.Add(await queue.PublishAsync(log, id));
        }
        foreach (var id in Enumerable.Range(1, 40))
        {
            await queue.AckAsync(log, id);
        }
        await log.CollectSegmentsAsync();
        var gone = old.Where(p => log.LiveReferences(p.Segment) is null).ToList();
        Assert.NotEmpty(gone);
        var error = await Assert.ThrowsAsync<IOException>(() => log.ReadAsync(gone[0]).AsTask());
        Assert.Contains($"segment {gone[0].Segment} is not in the log", error.Message);
        var highest = old.Max(p => p.Segment);
        await log.DisposeAsync();

        // After a restart the numbering goes on from the highest segment left, so an old position can never
        // point into a new segment.
        (log, queue) = await LogQueue.OpenAsync(RealDirectory, files, 4096);
        await using var _ = log;
        var fresh = new List<LogPosition>();
        for (var id = 100; id < 140; id++)
        {
            fresh.Add(await queue.PublishAsync(log, id));
        }
        Assert.All(fresh, p => Assert.True(p.Segment >= highest));
        Assert.DoesNotContain(fresh, p => gone.Any(g => g.Segment == p.Segment));
        await Assert.ThrowsAsync<IOException>(() => log.ReadAsync(gone[0]).AsTask());
    }

    [Fact]
    public async Task AForeignFileInTheLogIsRefusedWithItsNameAndTheFix()
    {
        await WriteRecordsAsync(count: 3);
        File.WriteAllText(Path.Combine(RealDirectory, "00000000000000000000.seg.bak"), "ignored: not a segment name");
        var foreign = Path.Combine(RealDirectory, "00000000000000000002.seg");
        File.WriteAllText(foreign, "id,name\n1,a spreadsheet that ended up here\n");
        await WriteSegmentAsync(3);

        var error = await Assert.ThrowsAsync<IOException>(() => OpenAsync(RealDirectory, new OsLogFileSystem()));
        Assert.Contains(foreign, error.Message);
        Assert.Contains("not a message log segment", error.Message);
        Assert.Contains("move it out of the directory", error.Message);
    }

    [Fact]
    public async Task ASegmentRenamedOrCopiedUnderAnotherNumberIsRefused()
    {
        await WriteRecordsAsync(count: 3);
        File.Copy(Path.Combine(RealDirectory, "00000000000000000001.seg"), Path.Combine(RealDirectory, "00000000000000000007.seg"));
        var error = await Assert.ThrowsAsync<IOException>(() => OpenAsync(RealDirectory, new OsLogFileSystem()));
        Assert.Contains("00000000000000000007.seg", error.Message);
        Assert.Contains("says it is segment 1", error.Message);
    }

    [Fact]
    public async Task AnEmptyLastSegmentLeftByACrashIsDroppedButAnEmptyOneBeforeOthersIsRefused()
    {
        await WriteRecordsAsync(count: 3);
        var blank = Path.Combine(RealDirectory, "00000000000000000002.seg");
        File.WriteAllBytes(blank, new byte[32]);
        var (log, replayed) = await OpenAsync(RealDirectory, new OsLogFileSystem());
        Assert.Equal([1L, 2, 3], replayed.Select(r => r.Id));
        Assert.False(File.Exists(blank));
        // Its number held no record, so the log starts it again, properly this time.
        var next = await log.AppendAsync(Payload(4), durable: true);
        Assert.Equal(new LogPosition(2, 32), next);
        await log.DisposeAsync();

        File.WriteAllBytes(Path.Combine(RealDirectory, "00000000000000000003.seg"), []);
        await WriteSegmentAsync(4);
        var error = await Assert.ThrowsAsync<IOException>(() => OpenAsync(RealDirectory, new OsLogFileSystem()));
        Assert.Contains("00000000000000000003.seg", error.Message);
    }

    private async Task WriteRecordsAsync(int count)
    {
        var (log, _) = await OpenAsync(RealDirectory, new OsLogFileSystem());
        for (var id = 1; id <= count; id++)
        {
            await log.AppendAsync(Payload(id), durable: true);
        }
        await log.DisposeAsync();
    }

    /// <summary>A valid, empty segment with the given number, as the log itself would create it.</summary>
    private async Task WriteSegmentAsync(long number)
    {
        var other = Path.Combine(_folder.Directory, $"other-{number}");
        var (log, _) = await OpenAsync(other, new OsLogFileSystem(), segmentBytes: 4096);
        for (var i = 1; i <= number; i++)
        {
            await log.AppendAsync(new byte[4000], durable: true);
        }
        await log.DisposeAsync();
        var name = $"{number:D20}.seg";
        using (var source = File.OpenRead(Path.Combine(other, name)))
        using (var target = File.Create(Path.Combine(RealDirectory, name)))
        {
            var header = new byte[32];
            source.ReadExactly(header);
            target.Write(header);
        }
    }
}
