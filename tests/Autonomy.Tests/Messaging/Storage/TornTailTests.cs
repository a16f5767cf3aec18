using Autonomy.Server.Messaging.Storage;
using Autonomy.Tests.TestUtilities;
using static Autonomy.Tests.Messaging.Storage.LogTesting;

namespace Autonomy.Tests.Messaging.Storage;

/// <summary>
/// Segment files on the real disk cut at random offsets or with bytes flipped near their end: recovery keeps every
/// whole record before the damage, cuts the rest (on disk, synced), and the log takes appends where it ends.
/// </summary>
public sealed class TornTailTests : IDisposable
{
    private readonly TempProject _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RecoveryKeepsEveryWholeRecordBeforeACutAtAnyOffset()
    {
        var (original, records) = await WriteLogAsync("original", count: 40, segmentBytes: 1 << 20);
        var segment = Path.Combine(original, "00000000000000000001.seg");
        var length = new FileInfo(segment).Length;
        var random = new Random(7);
        // Random cuts, plus the edges: inside the header, at a record boundary, one byte short of the end.
        var cuts = Enumerable.Range(0, 25).Select(_ => random.NextInt64(0, length))
            .Concat([0, 5, 32, records[10].End, records[10].End + 1, length - 1]);
        var trial = 0;
        foreach (var cut in cuts)
        {
            var directory = Copy(original, $"cut-{trial++}");
            var file = Path.Combine(directory, "00000000000000000001.seg");
            Truncate(file, cut);
            var kept = records.Where(r => r.End <= cut).ToList();
            await AssertRecoversAsync(directory, kept, cutAt: cut);
        }
    }

    [Fact]
    public async Task RecoveryStopsAtAFlippedByteAndKeepsEverythingBeforeIt()
    {
        var (original, records) = await WriteLogAsync("original", count: 40, segmentBytes: 1 << 20);
        var random = new Random(11);
        for (var trial = 0; trial < 25; trial++)
        {
            var directory = Copy(original, $"flip-{trial}");
            var file = Path.Combine(directory, "00000000000000000001.seg");
            // Somewhere in the last third of the records, header or payload.
            var damaged = records[random.Next(26, records.Count)];
            var at = random.NextInt64(damaged.Position.Offset, damaged.End);
            var bytes = File.ReadAllBytes(file);
            bytes[at] ^= (byte)random.Next(1, 256);
            File.WriteAllBytes(file, bytes);
            var kept = records.Where(r => r.End <= damaged.Position.Offset).ToList();
            await AssertRecoversAsync(directory, kept, cutAt: damaged.Position.Offset);
        }
    }

    [Fact]
    public async Task ZerosAfterTheLastRecordAreCutAsATornTail()
    {
        var (directory, records) = await WriteLogAsync("zeros", count: 10, segmentBytes: 1 << 20);
        var file = Path.Combine(directory, "00000000000000000001.seg");
        // What a file system may show after a crash that extended the file but did not write its data.
        using (var stream = new FileStream(file, FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }
        await AssertRecoversAsync(directory, records, cutAt: records[^1].End);
    }

    [Fact]
    public async Task ATornSealedSegmentIsCutAndTheRecordsOfLaterSegmentsAreKept()
    {
        var (directory, records) = await WriteLogAsync("sealed", count: 30, segmentBytes: 4096);
        Assert.True(records[^1].Position.Segment >= 3);
        var second = records.Where(r => r.Position.Segment == 2).ToList();
        var cut = second[second.Count / 2].Position.Offset + 3;
        Truncate(Path.Combine(directory, "00000000000000000002.seg"), cut);

        var (log, replayed) = await OpenAsync(directory, new OsLogFileSystem(), 4096);
        var expected = records.Where(r => r.Position.Segment != 2 || r.End <= cut).ToList();
        Assert.Equal(expected.Select(r => r.Position), replayed.Select(r => r.Position));
        Assert.Equal(expected.Select(r => r.Payload), replayed.Select(r => r.Payload));
        var next = await log.AppendAsync(Payload(1000), durable: true);
        Assert.Equal(records[^1].Position.Segment, next.Segment);
        Assert.Equal(records[^1].End, next.Offset);
        await log.DisposeAsync();
    }

    private async Task AssertRecoversAsync(string directory, List<Written> kept, long cutAt)
    {
        var files = new OsLogFileSystem();
        var file = Path.Combine(directory, "00000000000000000001.seg");
        var (log, replayed) = await OpenAsync(directory, files);
        var end = kept.Count > 0 ? kept[^1].End : 32;
        try
        {
            Assert.Equal(kept.Select(r => r.Position), replayed.Select(r => r.Position));
            Assert.Equal(kept.Select(r => r.Payload), replayed.Select(r => r.Payload));
            if (cutAt >= 32)
            {
                Assert.Equal(end, new FileInfo(file).Length);
            }
            var next = await log.AppendAsync(Payload(-1, 200), durable: true);
            Assert.Equal(new LogPosition(1, end), next);
        }
        finally
        {
            await log.DisposeAsync();
        }
        var (again, replayedAgain) = await OpenAsync(directory, files);
        await again.DisposeAsync();
        Assert.Equal(kept.Select(r => r.Id).Append(-1), replayedAgain.Select(r => r.Id));
        Assert.Equal(0, again.Stats.TruncatedBytes);
    }

    private async Task<(string Directory, List<Written> Records)> WriteLogAsync(string name, int count, long segmentBytes)
    {
        var directory = Path.Combine(_folder.Directory, name);
        var (log, _) = await OpenAsync(directory, new OsLogFileSystem(), segmentBytes);
        var random = new Random(count);
        var records = new List<Written>();
        for (var id = 1; id <= count; id++)
        {
            var payload = Payload(id, random.Next(8, 700));
            var position = await log.AppendAsync(payload, durable: true);
            records.Add(new Written(position, payload));
        }
        await log.DisposeAsync();
        return (directory, records);
    }

    private static void Truncate(string file, long length)
    {
        using var stream = new FileStream(file, FileMode.Open);
        stream.SetLength(length);
    }

    private string Copy(string from, string name)
    {
        var to = Path.Combine(_folder.Directory, name);
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        return to;
    }

    private sealed record Written(LogPosition Position, byte[] Payload)
    {
        public long End => Position.Offset + 16 + Payload.Length;

        public long Id => IdOf(Payload);
    }
}
