using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Config;

/// <summary>A config rendered from a namespace follows every change, and the service is told as its on_change says.</summary>
public sealed class ConfigFileSyncTests
{
    private static async Task Put(RunningServer server, string ns, string key, string value)
    {
        using var response = await server.Http.PutAsync($"/v1/config/{ns}/keys/{key}", new StringContent(value, Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
    }

    private static string Compose(string onChange, string command) => $$"""
        name: sync
        services:
          app:
            command: {{command}}
            configs:
              - source: settings
                target: settings.ini
        configs:
          settings:
            x-autonomy:
              namespace: app
              format: ini
              on_change: "{{onChange}}"
        """;

    [Fact]
    public async Task TheFileIsRenderedAgainOnEveryChange()
    {
        await using var server = await RunningServer.StartAsync(Compose("none", "sleep 300"));
        var file = server.Files.PathOf("settings.ini");
        Assert.Equal("", File.ReadAllText(file));

        await Put(server, "app", "GREETING", "hello");
        await Put(server, "app", "flask:DEBUG", "True");
        await RunningProject.WaitUntilAsync(() => File.ReadAllText(file).Contains("DEBUG", StringComparison.Ordinal), "the file follows the namespace", TimeSpan.FromSeconds(10));
        var text = File.ReadAllText(file);
        Assert.Contains("[DEFAULT]", text, StringComparison.Ordinal);
        Assert.Contains("GREETING = hello", text, StringComparison.Ordinal);
        Assert.Contains("[flask]", text, StringComparison.Ordinal);

        // The replica's own copy, where AUTONOMY_CONFIGS_DIR points, follows too.
        var own = Path.Combine(server.Plane.Supervisor.ConfigFiles.ReplicaFolder("app-1"), "settings.ini");
        await RunningProject.WaitUntilAsync(() => File.ReadAllText(own) == File.ReadAllText(file), "the replica's copy follows", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SignalHupReachesTheReplica()
    {
        const string Script = """
            import os, signal, time
            def reload(signum, frame):
                with open("reloads.txt", "a") as f:
                    f.write(open(os.path.join(os.environ["AUTONOMY_CONFIGS_DIR"], "settings.ini")).read().strip().splitlines()[-1] + "\n")
            signal.signal(signal.SIGHUP, reload)
            while True:
                time.sleep(1)
            """;
        await using var server = await RunningServer.StartAsync(Compose("signal:HUP", "[\"python3\", \"app.py\"]"), new Dictionary<string, string> { ["app.py"] = Script });
        var pid = server.Plane.Supervisor.Status().Single().Replicas[0].Pid;
        await Task.Delay(500); // python installs its handler
        await Put(server, "app", "MODE", "fast");
        var reloads = server.Files.PathOf("reloads.txt");
        await RunningProject.WaitUntilAsync(() => File.Exists(reloads) && File.ReadAllText(reloads).Contains("MODE = fast", StringComparison.Ordinal), "the replica reloaded", TimeSpan.FromSeconds(10));
        Assert.Equal(pid, server.Plane.Supervisor.Status().Single().Replicas[0].Pid);
    }

    [Fact]
    public async Task RestartReplacesTheReplica()
    {
        await using var server = await RunningServer.StartAsync(Compose("restart", "sleep 300"));
        var pid = server.Plane.Supervisor.Status().Single().Replicas[0].Pid;
        await Put(server, "app", "MODE", "fast");
        await RunningProject.WaitUntilAsync(() => server.Plane.Supervisor.Status().Single().Replicas[0] is { Pid: { } now, State: Autonomy.Server.Runtime.Supervision.ReplicaState.Running } && now != pid,
            "a new replica runs", TimeSpan.FromSeconds(20));
        var logs = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/logs?service=app&tail=all").ContinueWith(t => "[" + string.Join(",", t.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries)) + "]"));
        Assert.Contains(logs.RootElement.EnumerateArray(), l => l.GetProperty("text").GetString()!.Contains("restarting one replica at a time", StringComparison.Ordinal));
    }
}
