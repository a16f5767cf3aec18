using Autonomy.Server.Runtime.Supervision;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>Services start in dependency order, honouring each condition, and fail with the reason and the dependency's logs.</summary>
public sealed class StartOrderTests
{
    private static DateTimeOffset StartOf(RunningProject p, string replica) => p.Replica(replica).StartedAt!.Value;

    [Fact]
    public async Task DependentStartsOnlyOnceItsDependencyIsHealthy()
    {
        await using var p = new RunningProject($$"""
            services:
            {{TestApps.HttpService("db")}}
              web:
                command: sleep 60
                depends_on:
                  db: {condition: service_healthy}
            """);
        p.Files.Write("app.py", "import time; time.sleep(1)\n" + TestApps.HttpApp);
        await p.UpAsync();
        var healthyBy = p.Supervisor.Logs.Tail("db", 50).First(l => l.Text.StartsWith("health: healthy", StringComparison.Ordinal)).Time;
        Assert.True(StartOf(p, "web-1") >= healthyBy, "web started before db was healthy");
        Assert.True(StartOf(p, "web-1") - StartOf(p, "db-1") >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task DependentWaitsForAOneShotToCompleteSuccessfully()
    {
        await using var p = new RunningProject("""
            services:
              migrate:
                command: sh -c 'sleep 0.5; echo migrated > migrated.txt'
              web:
                command: sh -c 'cat migrated.txt > seen.txt; sleep 60'
                depends_on:
                  migrate: {condition: service_completed_successfully}
            """);
        await p.UpAsync();
        await RunningProject.WaitUntilAsync(() => File.Exists(p.Files.PathOf("seen.txt")) && File.ReadAllText(p.Files.PathOf("seen.txt")).Length > 0, "seen.txt");
        Assert.Equal("migrated\n", File.ReadAllText(p.Files.PathOf("seen.txt")));
        Assert.Equal(ReplicaState.Exited, p.Replica("migrate-1").State);
    }

    [Fact]
    public async Task FailedOneShotFailsTheStartWithItsLogs()
    {
        await using var p = new RunningProject("""
            services:
              migrate:
                command: sh -c 'echo "relation users already exists"; exit 2'
              web:
                command: sleep 60
                depends_on:
                  migrate: {condition: service_completed_successfully}
            """);
        var failure = await Assert.ThrowsAsync<ServiceStartException>(() => p.UpAsync());
        Assert.Equal("migrate", failure.Service);
        Assert.Contains("exited with code 2", failure.Reason);
        Assert.Contains(failure.LastLogLines, l => l.Contains("relation users already exists", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DependencyThatTurnsUnhealthyFailsTheStart()
    {
        await using var p = new RunningProject("""
            services:
              db:
                command: sh -c 'echo "database is corrupt" >&2; sleep 60'
                healthcheck:
                  test: exit 1
                  interval: 100ms
                  retries: 2
              web:
                command: sleep 60
                depends_on:
                  db: {condition: service_healthy}
            """);
        var failure = await Assert.ThrowsAsync<ServiceStartException>(() => p.UpAsync());
        Assert.Equal("db", failure.Service);
        Assert.Contains("is unhealthy", failure.Reason);
        Assert.Contains(failure.LastLogLines, l => l.Contains("database is corrupt", StringComparison.Ordinal));
        // Nothing is left running after a failed start.
        Assert.All(p.Supervisor.Status().SelectMany(s => s.Replicas), r => Assert.Null(r.Pid));
    }

    [Fact]
    public async Task DependencyThatExitsWhileWaitedForFailsTheStart()
    {
        await using var p = new RunningProject("""
            services:
              db:
                command: sh -c 'echo "out of disk"; exit 1'
                healthcheck: {test: "true", interval: 10s}
              web:
                command: sleep 60
                depends_on:
                  db: {condition: service_healthy}
            """);
        var failure = await Assert.ThrowsAsync<ServiceStartException>(() => p.UpAsync());
        Assert.Contains("exited with code 1", failure.Reason);
        Assert.Contains(failure.LastLogLines, l => l.Contains("out of disk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServiceStartedOnlyNeedsTheProcessStarted()
    {
        await using var p = new RunningProject("""
            services:
              db:
                command: sleep 60
                healthcheck: {test: "sleep 2", interval: 100ms, timeout: 10s}
              web:
                command: sleep 60
                depends_on: [db]
            """);
        await p.UpAsync();
        var healthyBy = p.Supervisor.Logs.Tail("db", 50).First(l => l.Text.StartsWith("health: healthy", StringComparison.Ordinal)).Time;
        Assert.True(StartOf(p, "web-1") >= StartOf(p, "db-1"));
        Assert.True(StartOf(p, "web-1") < healthyBy, "web waited for db to be healthy, though it only needed it started");
    }

    [Fact]
    public async Task ARestartedReplicaWaitsForItsDependenciesAgain()
    {
        await using var p = new RunningProject("""
            services:
              db:
                command: sleep 60
                restart: "no"
                healthcheck:
                  test: test -f db-ready
                  interval: 100ms
                  retries: 1
              web:
                command: sleep 60
                restart: always
                depends_on:
                  db: {condition: service_healthy}
            """);
        File.WriteAllText(p.Files.PathOf("db-ready"), "");
        await p.UpAsync();
        File.Delete(p.Files.PathOf("db-ready"));
        await RunningProject.WaitUntilAsync(() => p.Replica("db-1").Health == Autonomy.Server.Runtime.Health.HealthStatus.Unhealthy, "db is unhealthy");

        System.Diagnostics.Process.GetProcessById(p.Replica("web-1").Pid!.Value).Kill();
        await RunningProject.WaitUntilAsync(() => p.Replica("web-1").State == ReplicaState.Waiting, "web waits for db");
        await Task.Delay(500);
        Assert.Equal(ReplicaState.Waiting, p.Replica("web-1").State);

        File.WriteAllText(p.Files.PathOf("db-ready"), "");
        await RunningProject.WaitUntilAsync(() => p.Replica("web-1").State == ReplicaState.Running, "web runs again once db is healthy");
        Assert.Equal(1, p.Replica("web-1").Restarts);
    }
}
