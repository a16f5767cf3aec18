using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Governance;

/// <summary>A replica's own token lives exactly as long as the replica: made when it starts, refused once it stops.</summary>
public sealed class ReplicaTokenTests
{
    private const string Compose = """
        name: replicatokens
        services:
          orders:
            command: sh -c 'echo "$$AUTONOMY_TOKEN" > "token-$$AUTONOMY_INSTANCE"; exec sleep 300'
        """;

    [Fact]
    public async Task AReplicasTokenIsDeadOnceItStops()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        var first = await TokenOfAsync(server, "orders-1");
        using var replica = server.Client(first);
        Assert.Equal(HttpStatusCode.OK, (await replica.GetAsync("/v1/config/orders")).StatusCode);
        var listed = await ListAsync(server);
        Assert.Contains(listed, t => t.GetProperty("id").GetString() == "orders-1" && t.GetProperty("kind").GetString() == "replica"
            && t.GetProperty("role").GetString() == "service:orders");

        await ScaleAsync(server, 0);
        using var refused = await replica.GetAsync("/v1/config/orders");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("belonged to a replica that has stopped", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(await ListAsync(server), t => t.GetProperty("kind").GetString() == "replica");

        // A new replica (the next number) gets a new token; the old one stays dead.
        await ScaleAsync(server, 1);
        var second = await TokenOfAsync(server, "orders-2");
        Assert.NotEqual(first, second);
        using var again = server.Client(second);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/v1/config/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replica.GetAsync("/v1/config/orders")).StatusCode);
    }

    [Fact]
    public async Task ARestartGivesEachReplicaANewTokenAndTheOldOneDies()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        var before = await TokenOfAsync(server, "orders-1");
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsync("/v1/services/orders/restart", null)).StatusCode);
        // The replacement started beside the old replica, under the next id.
        var after = await TokenOfAsync(server, "orders-2");
        using var old = server.Client(before);
        using var current = server.Client(after);
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/v1/services/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/v1/services/orders")).StatusCode);
    }

    [Fact]
    public async Task AReplicasTokenCannotBeRevokedByIdButItsServiceCanBeRestarted()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        await TokenOfAsync(server, "orders-1");
        using var response = await server.Http.DeleteAsync("/v1/tokens/orders-1");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("autonomy restart orders", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<string> TokenOfAsync(RunningServer server, string replica)
    {
        var path = server.Files.PathOf($"token-{replica}");
        await RunningProject.WaitUntilAsync(() => File.Exists(path) && File.ReadAllText(path).EndsWith('\n'), $"{replica} wrote its token");
        return File.ReadAllText(path).Trim();
    }

    private static async Task ScaleAsync(RunningServer server, int replicas)
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/services/orders/scale", new { replicas });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<List<JsonElement>> ListAsync(RunningServer server) =>
        [.. JsonDocument.Parse(await server.Http.GetStringAsync("/v1/tokens")).RootElement.EnumerateArray()];
}
