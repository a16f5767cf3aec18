using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Config;

/// <summary>Canary releases: chosen replicas see a change first; it is then promoted or abandoned, or rolls itself back.</summary>
public sealed class CanaryReleaseTests
{
    // Each replica writes what it sees of Mode, through its own token, every time its blocking read returns.
    private const string Viewer = """
        import json, os, urllib.request
        url = os.environ["AUTONOMY_URL"] + "/v1/config/" + os.environ["AUTONOMY_SERVICE"]
        index = 0
        while True:
            request = urllib.request.Request(f"{url}?index={index}&wait=20s", headers={"Authorization": "Bearer " + os.environ["AUTONOMY_TOKEN"]})
            with urllib.request.urlopen(request) as response:
                index = int(response.headers["X-Autonomy-Index"])
                entries = {e["key"]: e["value"] for e in json.load(response)["entries"]}
            with open(f"view-{os.environ['AUTONOMY_INSTANCE']}.txt.tmp", "w") as f:
                f.write(entries.get("Mode", "-"))
            os.replace(f"view-{os.environ['AUTONOMY_INSTANCE']}.txt.tmp", f"view-{os.environ['AUTONOMY_INSTANCE']}.txt")
        """;

    private const string Compose = """
        name: canary
        services:
          app:
            command: ["python3", "viewer.py"]
            deploy: {replicas: 2}
            configs:
              - source: settings
                target: settings.ini
            healthcheck:
              test: ["CMD", "sh", "-c", "! grep -q broken \"$$AUTONOMY_CONFIGS_DIR/settings.ini\""]
              interval: 200ms
              retries: 1
        configs:
          settings:
            x-autonomy: {namespace: app, format: ini}
        """;

    private static async Task<RunningServer> StartAsync()
    {
        var server = await RunningServer.StartAsync(Compose, new Dictionary<string, string> { ["viewer.py"] = Viewer });
        using var put = await server.Http.PutAsync("/v1/config/app/keys/Mode", new StringContent("stable", Encoding.UTF8, "text/plain"));
        put.EnsureSuccessStatusCode();
        await WaitForViewAsync(server, "app-1", "stable");
        await WaitForViewAsync(server, "app-2", "stable");
        return server;
    }

    private static Task WaitForViewAsync(RunningServer server, string replica, string value) =>
        RunningProject.WaitUntilAsync(() => File.Exists(server.Files.PathOf($"view-{replica}.txt")) && File.ReadAllText(server.Files.PathOf($"view-{replica}.txt")) == value,
            $"{replica} sees Mode={value}", TimeSpan.FromSeconds(15));

    private static string RenderedFor(RunningServer server, string replica) =>
        File.ReadAllText(Path.Combine(server.Plane.Supervisor.ConfigFiles.ReplicaFolder(replica), "settings.ini"));

    private static async Task<JsonElement> Start(RunningServer server, object body)
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/config/app/canary", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task OnlyTheCanaryReplicaSeesTheChangeUntilItIsPromoted()
    {
        await using var server = await StartAsync();
        var canary = await Start(server, new { operations = new[] { new { op = "set", key = "Mode", value = "fast" } }, replicas = new[] { "app-2" } });
        var id = canary.GetProperty("id").GetString();

        await WaitForViewAsync(server, "app-2", "fast");
        Assert.Contains("Mode = fast", RenderedFor(server, "app-2"), StringComparison.Ordinal);
        Assert.Equal("stable", File.ReadAllText(server.Files.PathOf("view-app-1.txt")));
        Assert.Contains("Mode = stable", RenderedFor(server, "app-1"), StringComparison.Ordinal);
        Assert.Contains("Mode = stable", File.ReadAllText(server.Files.PathOf("settings.ini")), StringComparison.Ordinal);
        var committed = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/config/app/keys/Mode")).RootElement;
        Assert.Equal("stable", committed.GetProperty("value").GetString());

        using var conflict = await server.Http.PostAsJsonAsync("/v1/config/app/canary", new { operations = new[] { new { op = "delete", key = "Mode" } }, percent = 50 });
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        using var promote = await server.Http.PostAsync($"/v1/config/app/canary/{id}/promote", null);
        var promoted = JsonDocument.Parse(await promote.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("promoted", promoted.GetProperty("state").GetString());
        await WaitForViewAsync(server, "app-1", "fast");
        var value = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/config/app/keys/Mode")).RootElement;
        Assert.Equal(promoted.GetProperty("revision").GetInt64(), value.GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task ACanaryFollowsItsReplicaToTheReplacementARestartStarts()
    {
        await using var server = await StartAsync();
        var canary = await Start(server, new { operations = new[] { new { op = "set", key = "Mode", value = "fast" } }, replicas = new[] { "app-2" } });
        await WaitForViewAsync(server, "app-2", "fast");

        using (var restart = await server.Http.PostAsync("/v1/services/app/restart", null))
        {
            restart.EnsureSuccessStatusCode();
        }

        // app-1 was replaced by app-3 and app-2 by app-4, which took its place in the canary from its first start.
        var active = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/config/app/canary")).RootElement[0];
        Assert.Equal(canary.GetProperty("id").GetString(), active.GetProperty("id").GetString());
        Assert.Equal(["app-4"], active.GetProperty("replicas").EnumerateArray().Select(r => r.GetString()));
        await WaitForViewAsync(server, "app-4", "fast");
        await WaitForViewAsync(server, "app-3", "stable");
        Assert.Contains("Mode = fast", RenderedFor(server, "app-4"), StringComparison.Ordinal);
        Assert.Contains("Mode = stable", RenderedFor(server, "app-3"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAbandonedCanaryGoesBackAndIsKept()
    {
        await using var server = await StartAsync();
        var canary = await Start(server, new { operations = new[] { new { op = "set", key = "Mode", value = "fast" } }, percent = 50 });
        var id = canary.GetProperty("id").GetString();
        var chosen = Assert.Single(canary.GetProperty("replicas").EnumerateArray()).GetString()!;
        await WaitForViewAsync(server, chosen, "fast");

        using (var abandon = await server.Http.PostAsync($"/v1/config/app/canary/{id}/abandon", null))
        {
            abandon.EnsureSuccessStatusCode();
        }
        await WaitForViewAsync(server, chosen, "stable");
        Assert.Contains("Mode = stable", RenderedFor(server, chosen), StringComparison.Ordinal);
        var all = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/config/app/canary")).RootElement;
        Assert.Equal("abandoned", all[0].GetProperty("state").GetString());
        Assert.Equal("abandoned by admin", all[0].GetProperty("reason").GetString());
        using var again = await server.Http.PostAsync($"/v1/config/app/canary/{id}/promote", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task AnUnhealthyCanaryReplicaRollsTheChangeBackByItself()
    {
        await using var server = await StartAsync();
        var canary = await Start(server, new { operations = new[] { new { op = "set", key = "Mode", value = "broken" } }, replicas = new[] { "app-1" }, autoRollback = true, window = "30s" });
        var id = canary.GetProperty("id").GetString();

        JsonElement ended = default;
        await RunningProject.WaitUntilAsync(() =>
        {
            ended = JsonDocument.Parse(server.Http.GetStringAsync("/v1/config/app/canary").Result).RootElement[0].Clone();
            return ended.GetProperty("state").GetString() == "rolled-back";
        }, "the canary rolls itself back", TimeSpan.FromSeconds(20));
        Assert.Equal(id, ended.GetProperty("id").GetString());
        Assert.StartsWith("rolled back by itself: app-1 turned unhealthy", ended.GetProperty("reason").GetString(), StringComparison.Ordinal);
        await WaitForViewAsync(server, "app-1", "stable");
        // The replica's HTTP view and its rendered file are refreshed one after the other, not at once.
        await RunningProject.WaitUntilAsync(() => RenderedFor(server, "app-1").Contains("Mode = stable", StringComparison.Ordinal), "the rendered file is stable again");
        Assert.Equal("stable", JsonDocument.Parse(await server.Http.GetStringAsync("/v1/config/app/keys/Mode")).RootElement.GetProperty("value").GetString());
    }
}
