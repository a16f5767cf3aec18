using System.Diagnostics;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>Autonomy killed with SIGKILL leaves its replicas running; the next start finds and stops them, and never a reused pid.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private readonly System.Text.StringBuilder _output = new();

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private Process StartUp()
    {
        var start = new ProcessStartInfo(Repository.Launcher, ["up"])
        {
            WorkingDirectory = _project.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        void Keep(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private string RecordPath => Path.Combine(_project.Directory, ".autonomy", "recovery", "run", "app-1.json");

    private int RecordedPid()
    {
        using var record = JsonDocument.Parse(File.ReadAllText(RecordPath));
        return record.RootElement.GetProperty("pid").GetInt32();
    }

    [Fact]
    public async Task KilledAutonomyLeavesReplicasThatTheNextStartStops()
    {
        _project.Write("compose.yaml", "name: recovery\nservices:\n  app:\n    command: [\"sleep\", \"300\"]\n");

        using var first = StartUp();
        await RunningProject.WaitUntilAsync(() => File.Exists(RecordPath), "the first run records its replica", TimeSpan.FromSeconds(60));
        var orphan = RecordedPid();
        first.Kill();
        await first.WaitForExitAsync();
        Assert.True(RunningProject.ProcessExists(orphan), "the replica should outlive a kill -9 of autonomy");

        using var second = StartUp();
        try
        {
            await RunningProject.WaitUntilAsync(() => File.Exists(RecordPath) && RecordedPid() != orphan, "the second run starts its own replica", TimeSpan.FromSeconds(60));
            Assert.False(RunningProject.ProcessExists(orphan), "the second run must stop what the first left behind");
            var replica = RecordedPid();
            await RunningProject.WaitUntilAsync(() => Output.Contains("app: ready", StringComparison.Ordinal), "the second run is ready");

            Process.Start("kill", ["-INT", second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(second.ExitCode == 0, $"exit code {second.ExitCode}; output:\n{Output}");
            Assert.False(RunningProject.ProcessExists(replica), "Ctrl-C must stop every replica");
            Assert.False(File.Exists(RecordPath));
        }
        finally
        {
            if (!second.HasExited)
            {
                second.Kill();
            }
        }
    }

    [Fact]
    public async Task ARecordWhosePidWasReusedIsNotKilled()
    {
        // A record that names a live process started at another time: the pid was reused.
        using var bystander = Process.Start("sleep", ["30"])!;
        try
        {
            var run = Path.Combine(_project.Directory, "state", "run");
            Directory.CreateDirectory(run);
            File.WriteAllText(Path.Combine(run, "app-1.json"),
                $$"""{"service":"app","replica":"app-1","pid":{{bystander.Id}},"startTime":1,"bootId":"{{File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim()}}"}""");
            var records = new Autonomy.Server.Runtime.State.ReplicaRecords(Path.Combine(_project.Directory, "state"));
            var stopped = await records.SweepAsync(TimeSpan.FromSeconds(1));
            Assert.Empty(stopped);
            Assert.False(bystander.HasExited);
            Assert.Empty(records.ReadAll());
        }
        finally
        {
            bystander.Kill();
        }
    }

    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime, fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    [Fact]
    public async Task ACrashLoopKeepsTheSupervisorsCpuLow()
    {
        _project.Write("compose.yaml", """
            name: recovery
            services:
              stable:
                command: ["sleep", "300"]
              looping:
                command: ["sh", "-c", "test -f go || { touch go; sleep 300; }; echo crashing; exit 1"]
                restart: always
            """);
        using var up = StartUp();
        try
        {
            var looping = Path.Combine(_project.Directory, ".autonomy", "recovery", "run", "looping-1.json");
            // A replica that exits while up is still starting fails the whole up, so the crash comes after.
            await RunningProject.WaitUntilAsync(() => Output.Contains("looping: ready", StringComparison.Ordinal), "up reports ready", TimeSpan.FromSeconds(60));
            using (var record = JsonDocument.Parse(File.ReadAllText(looping)))
            {
                Process.GetProcessById(record.RootElement.GetProperty("pid").GetInt32()).Kill();
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
            var before = CpuSeconds(up.Id);
            await Task.Delay(TimeSpan.FromSeconds(4));
            var used = CpuSeconds(up.Id) - before;
            // Restarted with backoff (0.5 s, 1 s, 2 s…): the supervisor sleeps between attempts.
            Assert.True(used < 0.4, $"autonomy used {used:0.00} s of CPU in 4 s of a crash loop");
        }
        finally
        {
            Process.Start("kill", ["-INT", up.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await up.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
