using System.Net.Sockets;
using Autonomy.Server.Runtime.Health;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>Published ports forward to ready replicas round robin; replicas scale up and down live.</summary>
public sealed class PortsAndScaleTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<List<string>> GetManyAsync(int port, int count)
    {
        var answers = new List<string>();
        for (var i = 0; i < count; i++)
        {
            // A new connection each time: the forwarder balances connections.
            using var client = new HttpClient();
            client.DefaultRequestHeaders.ConnectionClose = true;
            answers.Add(await client.GetStringAsync($"http://127.0.0.1:{port}/"));
        }
        return answers;
    }

    [Fact]
    public async Task PublishedPortBalancesAcrossReplicasAndAroundAnUnhealthyOne()
    {
        var port = FreePort();
        await using var p = new RunningProject("services:\n" + TestApps.HttpService("web", $$"""
                restart: "no"
                deploy: {replicas: 3}
                ports: ["{{port}}:8080"]
            """));
        p.Files.Write("app.py", TestApps.HttpApp);
        await p.UpAsync();

        var answers = await GetManyAsync(port, 9);
        Assert.Equal(["web-1", "web-2", "web-3"], answers.Distinct().Order());
        Assert.All(answers.GroupBy(a => a), g => Assert.Equal(3, g.Count()));

        File.WriteAllText(p.Files.PathOf("web-2.sick"), "");
        await RunningProject.WaitUntilAsync(() => p.Replica("web-2").Health == HealthStatus.Unhealthy, "web-2 is unhealthy");
        Assert.DoesNotContain("web-2", await GetManyAsync(port, 6));

        File.Delete(p.Files.PathOf("web-2.sick"));
        await RunningProject.WaitUntilAsync(() => p.Replica("web-2").Health == HealthStatus.Healthy, "web-2 is healthy again");
        Assert.Contains("web-2", await GetManyAsync(port, 6));
    }

    [Fact]
    public async Task StoppedReplicaLeavesTheRotation()
    {
        var port = FreePort();
        await using var p = new RunningProject("services:\n" + TestApps.HttpService("web", $$"""
                deploy: {replicas: 2}
                ports: ["{{port}}:8080"]
            """));
        p.Files.Write("app.py", TestApps.HttpApp);
        await p.UpAsync();
        System.Diagnostics.Process.GetProcessById(p.Replica("web-1").Pid!.Value).Kill();
        await RunningProject.WaitUntilAsync(() => p.Replica("web-1").State != ReplicaState.Running, "web-1 stopped");
        Assert.All(await GetManyAsync(port, 4), a => Assert.Equal("web-2", a));
    }

    [Fact]
    public async Task ServiceUrlReachesTheReplicas()
    {
        await using var p = new RunningProject("services:\n" + TestApps.HttpService("api"));
        p.Files.Write("app.py", TestApps.HttpApp);
        await p.UpAsync();
        Assert.Equal(["api-1"], (await GetManyAsync(p.Service("api").Port, 2)).Distinct());
    }

    [Fact]
    public async Task ScaleUpReturnsWithNewReplicasReadyAndScaleDownStopsTheNewestFirst()
    {
        await using var p = new RunningProject("services:\n" + TestApps.HttpService("web"));
        p.Files.Write("app.py", TestApps.HttpApp);
        await p.UpAsync();

        await p.Supervisor.ScaleAsync("web", 3);
        var replicas = p.Service("web").Replicas;
        Assert.Equal(["web-1", "web-2", "web-3"], replicas.Select(r => r.Id));
        Assert.All(replicas, r => Assert.Equal(HealthStatus.Healthy, r.Health));
        var pids = replicas.ToDictionary(r => r.Id, r => r.Pid!.Value);

        await p.Supervisor.ScaleAsync("web", 1);
        Assert.Equal(["web-1"], p.Service("web").Replicas.Select(r => r.Id));
        Assert.True(RunningProject.ProcessExists(pids["web-1"]));
        Assert.False(RunningProject.ProcessExists(pids["web-2"]));
        Assert.False(RunningProject.ProcessExists(pids["web-3"]));
        Assert.Equal(["web-1"], (await GetManyAsync(p.Service("web").Port, 3)).Distinct());
    }

    [Fact]
    public async Task RestartReplacesEachReplicaInTurn()
    {
        await using var p = new RunningProject("services:\n" + TestApps.HttpService("web", "    deploy: {replicas: 2}\n"));
        p.Files.Write("app.py", TestApps.HttpApp);
        await p.UpAsync();
        var before = p.Service("web").Replicas.Select(r => r.Pid).ToList();
        await p.Supervisor.RestartAsync("web");
        var after = p.Service("web").Replicas;
        Assert.All(after, r => Assert.Equal(HealthStatus.Healthy, r.Health));
        Assert.Empty(after.Select(r => r.Pid).Intersect(before));
    }
}
