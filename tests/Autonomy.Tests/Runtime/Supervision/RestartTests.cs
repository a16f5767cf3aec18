using Autonomy.Server.Runtime.Health;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>Restart policies with exponential backoff, crash loops, and unhealthy replicas.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task RestartDelaysDoubleAndAreCapped()
    {
        await using var p = new RunningProject("""
            services:
              worker:
                command: sh -c 'test -f started || { touch started; sleep 60; }; exit 1'
                restart: on-failure
            """);
        await p.UpAsync(o => o with { RestartDelay = TimeSpan.FromMilliseconds(50), MaxRestartDelay = TimeSpan.FromMilliseconds(400) });
        // Killed before it marks its first run, the next run would be the one that sleeps.
        await RunningProject.WaitUntilAsync(() => File.Exists(p.Files.PathOf("started")), "the first run marks itself");
        System.Diagnostics.Process.GetProcessById(p.Replica("worker-1").Pid!.Value).Kill();
        await RunningProject.WaitUntilAsync(() => p.Supervisor.RestartDelays("worker-1").Count >= 6, "six restarts", TimeSpan.FromSeconds(30));
        var delays = p.Supervisor.RestartDelays("worker-1").Take(6).Select(d => (int)d.TotalMilliseconds).ToList();
        Assert.Equal([50, 100, 200, 400, 400, 400], delays);
    }

    [Fact]
    public async Task MaxAttemptsStopsRetrying()
    {
        await using var p = new RunningProject("""
            services:
              worker:
                command: sh -c 'echo run >> runs.txt; test $(wc -l < runs.txt) -gt 1 && exit 1; sleep 60'
                deploy:
                  restart_policy: {condition: on-failure, max_attempts: 2, delay: 50ms}
            """);
        await p.UpAsync();
        // Killed before its first line is written, the first run would not count, and the next would sleep.
        await RunningProject.WaitUntilAsync(() => File.Exists(p.Files.PathOf("runs.txt")), "the first run writes its line");
        System.Diagnostics.Process.GetProcessById(p.Replica("worker-1").Pid!.Value).Kill();
        await RunningProject.WaitUntilAsync(() => p.Replica("worker-1").State == ReplicaState.Exited, "worker gives up");
        Assert.Equal(3, File.ReadAllLines(p.Files.PathOf("runs.txt")).Length);
    }

    [Fact]
    public async Task NoPolicyMeansNoRestart()
    {
        await using var p = new RunningProject("services:\n  worker:\n    command: sleep 60\n");
        await p.UpAsync();
        System.Diagnostics.Process.GetProcessById(p.Replica("worker-1").Pid!.Value).Kill();
        await RunningProject.WaitUntilAsync(() => p.Replica("worker-1").State == ReplicaState.Exited, "worker exited");
        await Task.Delay(300);
        Assert.Equal((ReplicaState.Exited, 0, 137), (p.Replica("worker-1").State, p.Replica("worker-1").Restarts, p.Replica("worker-1").ExitCode ?? 0));
    }

    [Fact]
    public async Task ACrashLoopIsBoundedByTheBackoff()
    {
        await using var p = new RunningProject("""
            services:
              stable:
                command: sleep 60
              looping:
                command: sh -c 'test -f go || { touch go; sleep 60; }; exit 1'
                restart: always
            """);
        await p.UpAsync(o => o with { RestartDelay = TimeSpan.FromMilliseconds(100), MaxRestartDelay = TimeSpan.FromMilliseconds(500) });
        System.Diagnostics.Process.GetProcessById(p.Replica("looping-1").Pid!.Value).Kill();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var restarts = p.Replica("looping-1").Restarts;
        // Backoff bounds the loop: 100+200+400+500+500… ms gives at most about eight restarts in 3 s.
        Assert.InRange(restarts, 3, 9);
        Assert.Equal(ReplicaState.Running, p.Replica("stable-1").State);
    }

    [Fact]
    public async Task AnUnhealthyReplicaIsRestarted()
    {
        await using var p = new RunningProject("""
            services:
              app:
                command: sh -c 'echo start >> starts.txt; sleep 60'
                restart: always
                healthcheck:
                  test: test -f healthy
                  interval: 100ms
                  retries: 2
            """);
        File.WriteAllText(p.Files.PathOf("healthy"), "");
        await p.UpAsync();
        File.Delete(p.Files.PathOf("healthy"));
        await RunningProject.WaitUntilAsync(() => p.Replica("app-1").Restarts >= 1, "app is restarted");
        File.WriteAllText(p.Files.PathOf("healthy"), "");
        await RunningProject.WaitUntilAsync(() => p.Replica("app-1").Health == HealthStatus.Healthy, "app is healthy again");
        Assert.True(File.ReadAllLines(p.Files.PathOf("starts.txt")).Length >= 2);
    }
}
