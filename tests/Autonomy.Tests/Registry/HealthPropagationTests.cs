using System.Diagnostics;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Registry;

/// <summary>A replica's health check decides whether discovery hands it out.</summary>
public sealed class HealthPropagationTests
{
    [Fact]
    public async Task AReplicaThatTurnsUnhealthyLeavesTheHealthyListWithinOneIntervalAndComesBack()
    {
        await using var server = await RunningServer.StartAsync("""
            name: propagation
            services:
              orders:
                command: ["python3", "app.py"]
                deploy: {replicas: 2}
                healthcheck:
                  test: ["CMD", "curl", "-f", "http://localhost/health"]
                  interval: 1s
                  retries: 1
                  start_period: 60s       # a replica slow to listen on a busy machine is not failed for it
                  start_interval: 100ms
            """, new Dictionary<string, string> { ["app.py"] = TestApps.HttpApp });
        await RunningProject.WaitUntilAsync(() => Healthy(server).Result.Count == 2, "both replicas are passing");

        var index = server.Plane.Registry.Index;
        var watch = Stopwatch.StartNew();
        File.WriteAllText(server.Files.PathOf("orders-2.sick"), "");
        var left = await NextAsync(server, index);
        var elapsed = watch.Elapsed;
        Assert.Equal(["orders-1"], left.Ids);
        // One interval, and slack for a busy machine's scheduling (never a second failure's worth: retries is 1).
        Assert.True(elapsed < TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(1.5), $"left the healthy list after {elapsed}");

        File.Delete(server.Files.PathOf("orders-2.sick"));
        var back = await NextAsync(server, left.Index);
        Assert.Equal(["orders-1", "orders-2"], back.Ids);
        var all = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/registry/orders?all=true")).RootElement;
        Assert.All(all.GetProperty("instances").EnumerateArray(), i => Assert.Equal("passing", i.GetProperty("health").GetString()));
    }

    private static async Task<List<string>> Healthy(RunningServer server) => (await NextAsync(server, null)).Ids;

    private static async Task<(long Index, List<string> Ids)> NextAsync(RunningServer server, long? index)
    {
        var path = index is { } after ? $"/v1/registry/orders?index={after}&wait=30s" : "/v1/registry/orders";
        using var response = await server.Http.GetAsync(path);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("index").GetInt64(), body.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList());
    }
}
