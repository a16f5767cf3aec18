using System.Diagnostics;
using System.Globalization;
using Autonomy.Server.Runtime.Processes;

namespace Autonomy.Tests.Runtime.Processes;

// Every test runs real processes and disposes them, which SIGKILLs whatever is left of their group.
public sealed class NativeProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly string _directory = Directory.CreateTempSubdirectory("autonomy-process ").FullName;

    // As the supervisor runs: orphans of a service come to us. The flag is per process and idempotent.
    public NativeProcessTests() => Assert.True(ProcessGroups.EnableChildSubreaper());

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Exited_ReportsTheExitCode()
    {
        await using var process = Start("/bin/sh", "-c", "exit 42");

        Assert.Equal(new ProcessExit(42, null), await process.Exited.WaitAsync(Patience));
    }

    [Fact]
    public async Task Exited_DecodesDeathBySignal()
    {
        await using var process = Start("/bin/sh", "-c", "kill -KILL $$");

        Assert.Equal(new ProcessExit(137, Signals.SIGKILL), await process.Exited.WaitAsync(Patience));
    }

    [Theory]
    [InlineData(3 << 8, 3, null)]
    [InlineData(0, 0, null)]
    [InlineData(255 << 8, 255, null)]
    [InlineData(15, 143, 15)]
    [InlineData(9 | 0x80, 137, 9)] // core dumped
    public void FromWaitStatus_DecodesLikeTheCMacros(int status, int exitCode, int? signal) =>
        Assert.Equal(new ProcessExit(exitCode, signal), ProcessExit.FromWaitStatus(status));

    [Fact]
    public async Task Output_CapturesStdoutAndStderrSeparately()
    {
        await using var process = Start("/bin/sh", "-c", "echo out; echo err >&2; echo more");

        var (stdout, stderr) = await ReadBoth(process);

        Assert.Equal("out\nmore\n", stdout);
        Assert.Equal("err\n", stderr);
    }

    [Fact]
    public async Task Arguments_ArePassedExactly()
    {
        await using var process = Start("/bin/sh", "-c", "printf '[%s]' \"$0\" \"$@\"", "zero", "a b", "", "\u00e9t\u00e9 \"q\" 'x' $HOME");

        var (stdout, _) = await ReadBoth(process);

        Assert.Equal("[zero][a b][][\u00e9t\u00e9 \"q\" 'x' $HOME]", stdout);
    }

    [Fact]
    public async Task Environment_IsExactlyTheGivenOne()
    {
        var environment = new Dictionary<string, string> { ["A"] = "1", ["SPACED"] = "x  y", ["EMPTY"] = "", ["UTF"] = "\u00e9=\u00e8" };
        await using var process = NativeProcess.Start(new ProcessSpec("/usr/bin/env", [], _directory, environment));

        var (stdout, _) = await ReadBoth(process);

        Assert.Equal(
            environment.Select(e => $"{e.Key}={e.Value}").Order(StringComparer.Ordinal),
            stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WorkingDirectory_IsTheGivenOne()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, "a dir (1)")).FullName;
        await using var process = NativeProcess.Start(new ProcessSpec("/bin/pwd", [], directory, new Dictionary<string, string>()));

        var (stdout, _) = await ReadBoth(process);

        Assert.Equal(directory + "\n", stdout);
    }

    [Fact]
    public async Task Stdin_IsDevNull()
    {
        await using var process = Start("/bin/readlink", "/proc/self/fd/0");

        var (stdout, _) = await ReadBoth(process);

        Assert.Equal("/dev/null\n", stdout);
    }

    [Fact]
    public void Start_ExplainsAMissingProgram()
    {
        var error = Assert.Throws<ProcessStartException>(() => Start("/nonexistent/program"));

        Assert.Equal(2, error.Errno);
        Assert.Contains("'/nonexistent/program': the program does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("ENOENT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ExplainsAMissingWorkingDirectory()
    {
        var missing = Path.Combine(_directory, "missing");

        var error = Assert.Throws<ProcessStartException>(
            () => NativeProcess.Start(new ProcessSpec("/bin/true", [], missing, new Dictionary<string, string>())));

        Assert.Equal(2, error.Errno);
        Assert.Contains($"the working directory '{missing}' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ExplainsAProgramThatIsNotExecutable()
    {
        var script = Path.Combine(_directory, "script.sh");
        File.WriteAllText(script, "#!/bin/sh\nexit 0\n"); // created without execute permission

        var error = Assert.Throws<ProcessStartException>(() => Start(script));

        Assert.Equal(13, error.Errno);
        Assert.Contains("permission denied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_RejectsARelativeProgram() =>
        Assert.Throws<ArgumentException>(() => Start("sh", "-c", "true"));

    [Fact]
    public async Task Start_MakesTheChildLeadANewGroupInOurSession()
    {
        await using var process = Start("/bin/sleep", "10");

        var stat = StatFields(process.Pid);

        Assert.Equal(Environment.ProcessId, int.Parse(stat[1], CultureInfo.InvariantCulture)); // ppid
        Assert.Equal(process.Pid, int.Parse(stat[2], CultureInfo.InvariantCulture)); // pgrp
        Assert.Equal(StatFields(Environment.ProcessId)[3], stat[3]); // session
    }

    [Fact]
    public async Task Start_ResetsSignalsToDefault()
    {
        // .NET ignores SIGPIPE: a child that inherited that would survive this.
        await using var process = Start("/bin/sh", "-c", "kill -PIPE $$; exit 7");

        Assert.Equal(new ProcessExit(141, 13), await process.Exited.WaitAsync(Patience));
    }

    [Fact]
    public async Task Start_LeavesNoSignalIgnoredOrBlocked()
    {
        await using var process = Start("/bin/cat", "/proc/self/status");

        var (stdout, _) = await ReadBoth(process);

        var masks = stdout.Split('\n').Where(l => l.StartsWith("SigIgn:", StringComparison.Ordinal) || l.StartsWith("SigBlk:", StringComparison.Ordinal));
        Assert.Equal(["SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"], masks);
    }

    [Fact]
    public async Task StartTime_MatchesProc()
    {
        await using var process = Start("/bin/sleep", "10");

        Assert.True(process.StartTime > 0);
        Assert.Equal(long.Parse(StatFields(process.Pid)[19], CultureInfo.InvariantCulture), process.StartTime);
        Assert.Equal(process.StartTime, ProcessGroups.ReadStartTime(process.Pid));
    }

    [Fact]
    public void ReadStartTime_IsNullForAProcessThatIsGone() =>
        Assert.Null(ProcessGroups.ReadStartTime(int.MaxValue));

    [Fact]
    public void BootId_IsAUuid() =>
        Assert.True(Guid.TryParse(ProcessGroups.BootId(), out _));

    [Fact]
    public async Task StopAsync_KillsATreeThatIgnoresTheSignalAfterTheGrace()
    {
        // Ignored signals survive exec: every process below ignores SIGTERM, the grandchildren included.
        await using var process = Start("/bin/sh", "-c", """
            trap '' TERM
            sleep 1000 & echo $!
            sleep 1000 & echo $!
            sh -c "trap '' TERM; sleep 1000 & echo \$!; echo \$\$; wait" &
            wait
            """);
        var reader = new StreamReader(process.StandardOutput);
        var pids = new List<int> { process.Pid };
        for (var i = 0; i < 4; i++)
        {
            pids.Add(int.Parse(await ReadLine(reader), CultureInfo.InvariantCulture));
        }
        var grace = TimeSpan.FromMilliseconds(400);

        var clock = Stopwatch.StartNew();
        await process.StopAsync(Signals.SIGTERM, grace).WaitAsync(Patience);

        Assert.InRange(clock.Elapsed, grace * 0.9, grace + TimeSpan.FromSeconds(2));
        Assert.Equal(new ProcessExit(137, Signals.SIGKILL), await process.Exited);
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} survived"));
        Assert.False(ProcessGroups.IsGroupAlive(process.Pid));
    }

    [Fact]
    public async Task StopAsync_ReturnsAsSoonAsTheGroupHasGone()
    {
        await using var process = Start("/bin/sleep", "1000");

        var clock = Stopwatch.StartNew();
        await process.StopAsync(Signals.SIGTERM, TimeSpan.FromSeconds(30)).WaitAsync(Patience);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.Equal(new ProcessExit(143, Signals.SIGTERM), await process.Exited);
        Assert.False(Directory.Exists($"/proc/{process.Pid}"));
    }

    [Fact]
    public async Task StopAsync_WhenCancelledKillsAtOnceAndStopsWaiting()
    {
        await using var process = Start("/bin/sh", "-c", "trap '' TERM; echo ready; sleep 1000");
        await ReadLine(new StreamReader(process.StandardOutput));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.StopAsync(Signals.SIGTERM, TimeSpan.FromSeconds(30), cancel.Token));

        Assert.Equal(Signals.SIGKILL, (await process.Exited.WaitAsync(Patience)).Signal);
    }

    [Fact]
    public async Task Exited_IsFollowedByTheDeathOfWhatTheLeaderLeftBehind()
    {
        await using var process = Start("/bin/sh", "-c", "sleep 1000 & echo $!; exit 3");
        var child = int.Parse(await ReadLine(new StreamReader(process.StandardOutput)), CultureInfo.InvariantCulture);

        Assert.Equal(new ProcessExit(3, null), await process.Exited.WaitAsync(Patience));

        await WaitUntilGone(child);
        await process.StopAsync(Signals.SIGTERM, TimeSpan.Zero).WaitAsync(Patience);
        Assert.False(ProcessGroups.IsGroupAlive(process.Pid));
        process.SignalGroup(Signals.SIGTERM); // a group that is gone is no error
    }

    [Fact]
    public async Task Reaper_ReapsAnOrphanedGrandchildWhileTheLeaderRuns()
    {
        // The subshell exits at once, so its sleep is orphaned and, since we are a subreaper, becomes our child.
        await using var process = Start("/bin/sh", "-c", "(sleep 0.3 & echo $!); sleep 1000");
        var orphan = int.Parse(await ReadLine(new StreamReader(process.StandardOutput)), CultureInfo.InvariantCulture);

        await WaitUntil(() => ParentOf(orphan) is null || ParentOf(orphan) == Environment.ProcessId);
        Assert.Equal(Environment.ProcessId, ParentOf(orphan) ?? Environment.ProcessId);

        // Not even a zombie is left of it.
        await WaitUntilGone(orphan);
        Assert.False(process.Exited.IsCompleted);
    }

    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("TERM", 15)]
    [InlineData("15", 15)]
    [InlineData("sigkill", 9)]
    [InlineData("Int", 2)]
    [InlineData(" SIGHUP ", 1)]
    [InlineData("QUIT", 3)]
    [InlineData("SIGUSR1", 10)]
    [InlineData("WINCH", 28)]
    [InlineData("IOT", 6)]
    [InlineData("RTMIN", 34)]
    [InlineData("SIGRTMIN+3", 37)]
    [InlineData("RTMAX-1", 63)]
    [InlineData("64", 64)]
    public void Parse_AcceptsNamesWithOrWithoutSigAndNumbers(string text, int signal) =>
        Assert.Equal(signal, Signals.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("SIG")]
    [InlineData("SIGFOO")]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("-9")]
    [InlineData("RTMIN+31")]
    [InlineData("TERM15")]
    public void Parse_RejectsOtherText(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => Signals.Parse(text));

        Assert.Contains("SIGTERM or TERM", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(15, "SIGTERM")]
    [InlineData(36, "SIGRTMIN+2")]
    [InlineData(99, "99")]
    public void Name_NamesSignals(int signal, string name) => Assert.Equal(name, Signals.Name(signal));

    private NativeProcess Start(string program, params string[] arguments) =>
        NativeProcess.Start(new ProcessSpec(program, arguments, _directory, new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }));

    private static async Task<(string Stdout, string Stderr)> ReadBoth(NativeProcess process)
    {
        var stdout = new StreamReader(process.StandardOutput).ReadToEndAsync();
        var stderr = new StreamReader(process.StandardError).ReadToEndAsync();
        return (await stdout.WaitAsync(Patience), await stderr.WaitAsync(Patience));
    }

    private static async Task<string> ReadLine(StreamReader reader) =>
        await reader.ReadLineAsync().WaitAsync(Patience) ?? throw new EndOfStreamException();

    /// <summary>The fields of /proc/pid/stat from field 3 (state) on.</summary>
    private static string[] StatFields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("PPid:", StringComparison.Ordinal));
            return int.Parse(line["PPid:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static Task WaitUntilGone(int pid) => WaitUntil(() => !Directory.Exists($"/proc/{pid}"));

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, "timed out");
            await Task.Delay(10);
        }
    }
}
