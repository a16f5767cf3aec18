using Autonomy.Server.Runtime.Health;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>Health states with each kind of probe, with the spec's timing.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task CommandCheckGoesFromStartingToHealthyToUnhealthy()
    {
        await using var p = new RunningProject("""
            services:
              app:
                command: sleep 60
                restart: "no"
                healthcheck:
                  test: test -f ready
                  interval: 200ms
                  start_interval: 100ms
                  start_period: 1s
                  retries: 2
            """);
        File.WriteAllText(p.Files.PathOf("ready"), "");
        await p.UpAsync();
        Assert.Equal(HealthStatus.Healthy, p.Replica("app-1").Health);
        File.Delete(p.Files.PathOf("ready"));
        var lostAt = DateTime.UtcNow;
        await RunningProject.WaitUntilAsync(() => p.Replica("app-1").Health == HealthStatus.Unhealthy, "app-1 is unhealthy");
        // Two failures in a row at 200 ms intervals: not before ~400 ms.
        Assert.True(DateTime.UtcNow - lostAt >= TimeSpan.FromMilliseconds(300));
        Assert.Contains("exit code 1", p.Replica("app-1").LastCheck);
    }

    [Fact]
    public async Task FailuresDuringTheStartPeriodDoNotCount()
    {
        await using var p = new RunningProject("""
            services:
              app:
                command: sh -c 'sleep 1.5; touch ready; sleep 60'
                healthcheck:
                  test: ["CMD", "test", "-f", "ready"]
                  interval: 100ms
                  start_interval: 100ms
                  start_period: 5s
                  retries: 1
            """);
        await p.UpAsync();
        // With retries: 1 the first failure would have made it unhealthy outside the start period.
        Assert.Equal(HealthStatus.Healthy, p.Replica("app-1").Health);
        Assert.Equal(0, p.Replica("app-1").Restarts);
    }

    [Fact]
    public async Task NativeHttpCheckNeedsNoCurl()
    {
        await using var p = new RunningProject("services:\n" + TestApps.HttpService("web"));
        p.Files.Write("app.py", TestApps.HttpApp);
        await p.UpAsync();
        Assert.Equal(HealthStatus.Healthy, p.Replica("web-1").Health);
        Assert.Contains("200", p.Replica("web-1").LastCheck);
    }

    [Fact]
    public async Task CurlCheckOnTheContainerPortIsProbedNativelyOnTheReplicaPort()
    {
        await using var p = new RunningProject("""
            services:
              web:
                command: ["python3", "app.py"]
                healthcheck:
                  test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
                  interval: 200ms
                  start_interval: 100ms
                  start_period: 10s
            """);
        p.Files.Write("app.py", TestApps.HttpApp);
        await p.UpAsync();
        Assert.Equal(HealthStatus.Healthy, p.Replica("web-1").Health);
        Assert.Contains("GET /health", p.Replica("web-1").LastCheck);
    }

    [Fact]
    public async Task NativeCheckTakesItsRetriesFromTheFile()
    {
        await using var p = new RunningProject("""
            services:
              web:
                command: python3 -m http.server $$PORT --bind 127.0.0.1
                x-autonomy:
                  healthcheck: {tcp: true, interval: 200ms, start_interval: 100ms, retries: 1}
            """);
        await p.UpAsync();
        Assert.Equal(1, p.Supervisor.Plans[0].Health!.Retries);
    }

    [Fact]
    public async Task NativeTcpCheck()
    {
        await using var p = new RunningProject("""
            services:
              web:
                command: python3 -m http.server $$PORT --bind 127.0.0.1
                x-autonomy:
                  healthcheck: {tcp: true, interval: 200ms, start_interval: 100ms}
            """);
        await p.UpAsync();
        Assert.Equal(HealthStatus.Healthy, p.Replica("web-1").Health);
    }

    [Fact]
    public async Task ServiceWithoutACheckIsRunning()
    {
        await using var p = new RunningProject("services:\n  worker:\n    command: sleep 60\n");
        await p.UpAsync();
        Assert.Equal(HealthStatus.None, p.Replica("worker-1").Health);
        Assert.Equal(Autonomy.Server.Runtime.Supervision.ReplicaState.Running, p.Replica("worker-1").State);
    }

    [Fact]
    public async Task CheckThatOutlivesItsTimeoutFails()
    {
        await using var p = new RunningProject("""
            services:
              app:
                command: sleep 60
                restart: "no"
                healthcheck:
                  test: sleep 5
                  timeout: 200ms
                  interval: 100ms
                  retries: 1
            """);
        await Assert.ThrowsAsync<Autonomy.Server.Runtime.Supervision.ServiceStartException>(() => p.UpAsync());
    }
}
