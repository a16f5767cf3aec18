using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Processes;

/// <summary>CPU and memory of real replicas, as <c>GET /v1/services</c> shows them.</summary>
public sealed class ProcessUsageTests
{
    [Fact]
    public async Task ABusyReplicaShowsItsCpuAndMemoryCountedOverItsProcessGroupAndAnIdleOneShowsLittleCpu()
    {
        // The loop runs in a child of the shell, in the replica's process group: it is the group that is counted.
        await using var server = await RunningServer.StartAsync("""
            name: usage
            services:
              busy:
                command: ["sh", "-c", "python3 -c 'while True: pass' & wait"]
              idle:
                command: sleep 300
            """, configure: o => o with { UsageSampleInterval = TimeSpan.FromMilliseconds(500) });

        JsonElement busy = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        do
        {
            await Task.Delay(250);
            busy = await Replica(server, "busy");
        }
        while (!(busy.GetProperty("cpuPercent").ValueKind == JsonValueKind.Number && busy.GetProperty("cpuPercent").GetDouble() > 30) && DateTime.UtcNow < deadline);

        Assert.True(busy.GetProperty("cpuPercent").ValueKind == JsonValueKind.Number && busy.GetProperty("cpuPercent").GetDouble() > 30, busy.ToString());
        // A shell and a Python interpreter hold some megabytes between them.
        Assert.True(busy.GetProperty("memoryBytes").GetInt64() > 1_000_000, busy.ToString());

        var idle = await Replica(server, "idle");
        Assert.True(idle.GetProperty("cpuPercent").GetDouble() < 5, idle.ToString());
        Assert.True(idle.GetProperty("memoryBytes").GetInt64() > 0, idle.ToString());

        // One service alone has the same fields.
        using var one = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/services/idle"));
        Assert.Equal(JsonValueKind.Number, one.RootElement.GetProperty("replicas")[0].GetProperty("memoryBytes").ValueKind);
    }

    [Fact]
    public async Task AStoppedReplicaHasNoUsage()
    {
        await using var server = await RunningServer.StartAsync("""
            name: usagestop
            services:
              once:
                command: "true"
                restart: "no"
            """, configure: o => o with { UsageSampleInterval = TimeSpan.FromMilliseconds(200) });
        await RunningProject.WaitUntilAsync(() => server.Plane.Supervisor.Status()[0].Replicas[0].State == Autonomy.Server.Runtime.Supervision.ReplicaState.Exited, "the replica exits");

        var once = await Replica(server, "once");
        Assert.Equal(JsonValueKind.Null, once.GetProperty("cpuPercent").ValueKind);
        Assert.Equal(JsonValueKind.Null, once.GetProperty("memoryBytes").ValueKind);
    }

    private static async Task<JsonElement> Replica(RunningServer server, string service)
    {
        using var services = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/services"));
        return services.RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == service).GetProperty("replicas")[0].Clone();
    }
}
