using System.Text;
using System.Text.RegularExpressions;
using Autonomy.Server.Runtime.Logs;

namespace Autonomy.Tests.Runtime.Logs;

public sealed partial class LogHubTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly DateTimeOffset Noon = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "autonomy-logs-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task Lines_from_a_stream_reach_the_file_and_the_tail_in_order()
    {
        await using (var hub = new LogHub(_directory))
        {
            await hub.PumpAsync(Utf8("one\ntwo\nthree\n"), "web", "web-1", LogStream.Stdout);

            Assert.Equal(["two", "three"], Texts(hub.Tail("web", 2)));
            Assert.All(hub.Tail("web", 10), l => Assert.Equal(("web", "web-1", LogStream.Stdout), (l.Service, l.Replica, l.Stream)));
        }

        var file = File.ReadAllLines(Path.Combine(_directory, "web", "web-1.log"));
        Assert.Equal(3, file.Length);
        Assert.All(file, l => Assert.Matches(FileLine(), l));
        Assert.EndsWith(" stdout one", file[0]);
        Assert.EndsWith(" stdout three", file[2]);
    }

    [Fact]
    public async Task A_last_line_without_a_break_is_kept()
    {
        await using var hub = new LogHub(_directory);

        await hub.PumpAsync(Utf8("first\nno newline at the end"), "web", "web-1", LogStream.Stderr);

        Assert.Equal(["first", "no newline at the end"], Texts(hub.Tail("web", 10)));
    }

    [Fact]
    public async Task Carriage_returns_before_line_breaks_are_dropped()
    {
        await using var hub = new LogHub(_directory);

        await hub.PumpAsync(Utf8("windows\r\nstyle\r\n\r\nend\r"), "web", "web-1", LogStream.Stdout);

        Assert.Equal(["windows", "style", "", "end"], Texts(hub.Tail("web", 10)));
    }

    [Fact]
    public async Task A_line_longer_than_64_KiB_is_split_without_breaking_characters()
    {
        await using var hub = new LogHub(_directory);
        var ascii = new string('x', 150 * 1024);
        // Two bytes each, after one 'x': the 64 KiB mark falls inside a character, so the cut must move back by one.
        var accented = new string('é', 40 * 1024);

        await hub.PumpAsync(Utf8(ascii + "\n" + "x" + accented + "\n"), "web", "web-1", LogStream.Stdout);

        var lines = Texts(hub.Tail("web", 10));
        Assert.Equal([64 * 1024, 64 * 1024, 22 * 1024], lines.Take(3).Select(l => l.Length));
        Assert.Equal(ascii, string.Concat(lines.Take(3)));
        Assert.Equal(2, lines.Count - 3);
        Assert.Equal("x" + accented, string.Concat(lines.Skip(3)));
        Assert.DoesNotContain('\uFFFD', string.Concat(lines));
    }

    [Fact]
    public async Task Invalid_utf8_becomes_replacement_characters()
    {
        await using var hub = new LogHub(_directory);
        byte[] output = [0xFF, 0xFE, (byte)'o', (byte)'k', 0xC3, (byte)'\n', 0xE2, 0x82];

        await hub.PumpAsync(new MemoryStream(output), "web", "web-1", LogStream.Stdout);

        var lines = Texts(hub.Tail("web", 10));
        Assert.Equal(2, lines.Count);
        Assert.Contains("ok", lines[0]);
        Assert.Contains('\uFFFD', lines[0]);
        Assert.Contains('\uFFFD', lines[1]);
    }

    [Fact]
    public async Task Text_with_line_breaks_is_written_as_several_lines()
    {
        await using var hub = new LogHub(_directory);

        hub.Write(Line("web", "web-1", "health: unhealthy (curl: (7) refused\r\nsecond line)\n"));

        Assert.Equal(["health: unhealthy (curl: (7) refused", "second line)"], Texts(hub.Tail("web", 10)));
    }

    [Fact]
    public async Task Rotation_keeps_max_files_and_tail_reads_across_them()
    {
        await using var hub = new LogHub(_directory, maxFileBytes: 400, maxFiles: 3, memoryLines: 5);

        for (var i = 0; i < 100; i++)
        {
            hub.Write(Line("web", "web-1", $"line {i:000}", Noon.AddSeconds(i)));
        }

        var folder = Path.Combine(_directory, "web");
        Assert.Equal(["web-1.log", "web-1.log.1", "web-1.log.2"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Memory keeps 5: a longer tail comes from the files, oldest rotated one first.
        Assert.Equal(Enumerable.Range(85, 15).Select(i => $"line {i:000}"), Texts(hub.Tail("web", 15)));
        Assert.All(Directory.GetFiles(folder), f => Assert.InRange(new FileInfo(f).Length, 1, 400));
        var everything = Texts(hub.Tail("web", 1000));
        Assert.InRange(everything.Count, 16, 99);
        Assert.Equal(Enumerable.Range(100 - everything.Count, everything.Count).Select(i => $"line {i:000}"), everything);
        Assert.Equal(Noon.AddSeconds(99), hub.Tail("web", 1000)[^1].Time);
    }

    [Fact]
    public async Task A_new_hub_tails_what_an_earlier_one_wrote()
    {
        await using (var earlier = new LogHub(_directory))
        {
            earlier.Write(Line("web", "web-1", "from the last run", Noon));
            earlier.Write(Line("web", "", "about the service", Noon.AddSeconds(1)));
        }

        await using var hub = new LogHub(_directory);

        var tail = hub.Tail("web", 10);
        Assert.Equal(["from the last run", "about the service"], Texts(tail));
        Assert.Equal(["web-1", ""], tail.Select(l => l.Replica));
        Assert.Equal(Noon, tail[0].Time);
    }

    [Fact]
    public async Task Tail_of_all_services_is_in_time_order()
    {
        await using var hub = new LogHub(_directory);
        hub.Write(Line("web", "web-1", "web 0", Noon));
        hub.Write(Line("db", "db-1", "db 1", Noon.AddSeconds(1)));
        hub.Write(Line("web", "web-2", "web 2", Noon.AddSeconds(2)));
        hub.Write(Line("db", "db-1", "db 3", Noon.AddSeconds(3)));

        Assert.Equal(["db 1", "web 2", "db 3"], Texts(hub.Tail(null, 3)));
        Assert.Equal(["web 0", "web 2"], Texts(hub.Tail("web", 3)));
    }

    [Fact]
    public async Task Follow_receives_live_lines_of_its_service()
    {
        await using var hub = new LogHub(_directory);
        hub.Write(Line("web", "web-1", "before"));
        using var stop = new CancellationTokenSource(Patience);
        await using var web = hub.Follow("web", stop.Token).GetAsyncEnumerator(stop.Token);
        await using var all = hub.Follow(null, stop.Token).GetAsyncEnumerator(stop.Token);
        // Following starts with the enumeration, which the first MoveNextAsync begins.
        var webNext = web.MoveNextAsync();
        var allNext = all.MoveNextAsync();

        hub.Write(Line("db", "db-1", "db line"));
        hub.Write(Line("web", "web-1", "web line"));

        Assert.True(await webNext);
        Assert.Equal("web line", web.Current.Text);
        Assert.True(await allNext);
        Assert.Equal("db line", all.Current.Text);
        Assert.True(await all.MoveNextAsync());
        Assert.Equal("web line", all.Current.Text);
    }

    [Fact]
    public async Task Follow_ends_when_the_hub_is_disposed()
    {
        var hub = new LogHub(_directory);
        using var stop = new CancellationTokenSource(Patience);
        await using var follow = hub.Follow(null, stop.Token).GetAsyncEnumerator(stop.Token);
        var next = follow.MoveNextAsync();

        await hub.DisposeAsync();

        Assert.False(await next);
    }

    [Fact]
    public async Task A_stalled_reader_does_not_hold_up_writers_and_is_told_what_it_missed()
    {
        await using var hub = new LogHub(_directory);
        using var stop = new CancellationTokenSource(Patience);
        await using var stalled = hub.Follow("web", stop.Token).GetAsyncEnumerator(stop.Token);
        var first = stalled.MoveNextAsync();
        const int Lines = 3 * LogHub.FollowBufferLines;

        var writing = Task.Run(() =>
        {
            for (var i = 0; i < Lines; i++)
            {
                hub.Write(Line("web", "web-1", $"line {i}"));
            }
        });
        await writing.WaitAsync(Patience);

        var received = new List<LogLine>();
        Assert.True(await first);
        received.Add(stalled.Current);
        while (received[^1].Text != $"line {Lines - 1}")
        {
            Assert.True(await stalled.MoveNextAsync());
            received.Add(stalled.Current);
        }

        var notices = received.Where(l => l.Stream == LogStream.System).ToList();
        Assert.NotEmpty(notices);
        Assert.All(notices, n => Assert.Matches(@"^… \d+ lines dropped", n.Text));
        var missed = notices.Sum(n => int.Parse(n.Text.Split(' ')[1]));
        var lines = received.Where(l => l.Stream != LogStream.System).Select(l => int.Parse(l.Text.Split(' ')[1])).ToList();
        Assert.Equal(Lines, lines.Count + missed);
        Assert.Equal(lines.Order(), lines);
        Assert.InRange(lines.Count, LogHub.FollowBufferLines, LogHub.FollowBufferLines + 1);
    }

    [Fact]
    public async Task Concurrent_writers_lose_and_mangle_nothing()
    {
        const int Writers = 8;
        const int LinesEach = 2000;
        await using (var hub = new LogHub(_directory, maxFileBytes: 100 * 1024 * 1024, memoryLines: 100))
        {
            var pumps = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
            {
                var output = string.Concat(Enumerable.Range(0, LinesEach).Select(i => $"writer {w} line {i}\n"));
                // Two replicas share each file's writer pair so that lines of different threads meet in one file.
                return hub.PumpAsync(Utf8(output), "web", $"web-{w % 4}", w % 2 == 0 ? LogStream.Stdout : LogStream.Stderr);
            }));
            await Task.WhenAll(pumps).WaitAsync(Patience);

            var tail = hub.Tail("web", Writers * LinesEach);
            Assert.Equal(Writers * LinesEach, tail.Count);
            Assert.Equal(Writers * LinesEach, tail.Select(l => l.Text).Distinct().Count());
            foreach (var writer in tail.GroupBy(l => l.Text.Split(' ')[1]))
            {
                Assert.Equal(Enumerable.Range(0, LinesEach).Select(i => $"writer {writer.Key} line {i}"), writer.Select(l => l.Text));
            }
        }

        var fileLines = Directory.GetFiles(Path.Combine(_directory, "web")).SelectMany(File.ReadLines).ToList();
        Assert.Equal(Writers * LinesEach, fileLines.Count);
        Assert.All(fileLines, l => Assert.Matches(FileLine(), l));
    }

    [Fact]
    public async Task Names_that_would_leave_the_log_folder_are_refused()
    {
        await using var hub = new LogHub(_directory);

        Assert.Throws<ArgumentException>(() => hub.Write(Line("..", "x", "text")));
        Assert.Throws<ArgumentException>(() => hub.Write(Line("web", "../../etc/passwd", "text")));
        await Assert.ThrowsAsync<ArgumentException>(() => hub.PumpAsync(Utf8("text\n"), "web/../..", "web-1", LogStream.Stdout));
        Assert.Empty(hub.Tail("..", 10));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static LogLine Line(string service, string replica, string text, DateTimeOffset? time = null) =>
        new(time ?? DateTimeOffset.UtcNow, service, replica, LogStream.Stdout, text);

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    private static List<string> Texts(IEnumerable<LogLine> lines) => [.. lines.Select(l => l.Text)];

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (stdout|stderr|system) ")]
    private static partial Regex FileLine();
}
