using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary>The docker compose verbs through the CLI against a detached server, as a user drives them.</summary>
public sealed class LifecycleCommandTests : IAsyncLifetime
{
    private readonly TempProject _project = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Repository.RunAutonomyAsync(_project.Directory, ["down"]);
        _project.Dispose();
    }

    private Task<CommandResult> Run(params string[] args) => Repository.RunAutonomyAsync(_project.Directory, args);

    private async Task<JsonElement> PsAsync()
    {
        var ps = await Run("ps", "--format", "json");
        Assert.True(ps.ExitCode == 0, ps.ToString());
        return JsonDocument.Parse(ps.StandardOutput).RootElement.Clone();
    }

    [Fact]
    public async Task UpDetachedPsLogsScaleRestartDown()
    {
        _project.Write("app.py", TestApps.HttpApp);
        _project.Write("compose.yaml", "name: lifecycle\nservices:\n" + TestApps.HttpService("web", "    deploy: {replicas: 2}\n") + """
              worker:
                command: sh -c 'echo "worker sees $$WEB_URL"; sleep 300'
                depends_on:
                  web: {condition: service_healthy}
            """);

        var up = await Run("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Contains("web: running, health healthy", up.StandardOutput);
        Assert.Equal("600", Convert.ToString((int)File.GetUnixFileMode(Path.Combine(_project.Directory, ".autonomy", "lifecycle", "admin-token")), 8));

        var services = await PsAsync();
        Assert.Equal(["web", "worker"], services.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var web = services[0];
        Assert.Equal(("running", "healthy"), (web.GetProperty("state").GetString(), web.GetProperty("health").GetString()));
        Assert.Equal(2, web.GetProperty("replicas").GetArrayLength());
        foreach (var replica in web.GetProperty("replicas").EnumerateArray())
        {
            Assert.True(replica.GetProperty("pid").GetInt32() > 0);
            Assert.True(replica.GetProperty("port").GetInt32() > 0);
            Assert.Equal("healthy", replica.GetProperty("health").GetString());
            Assert.Equal(0, replica.GetProperty("restarts").GetInt32());
        }
        var pids = services.EnumerateArray().SelectMany(s => s.GetProperty("replicas").EnumerateArray()).Select(r => r.GetProperty("pid").GetInt32()).ToList();

        await RunningProject.WaitUntilAsync(() => Run("logs", "worker").Result.StandardOutput.Contains("worker sees http://127.0.0.1:", StringComparison.Ordinal), "the worker's log line");
        var logs = await Run("logs", "--tail", "50", "worker");
        Assert.Contains($"worker-1 | worker sees http://127.0.0.1:{web.GetProperty("port").GetInt32()}", logs.StandardOutput);

        var scale = await Run("scale", "web=3");
        Assert.True(scale.ExitCode == 0, scale.ToString());
        Assert.Equal(3, (await PsAsync())[0].GetProperty("replicas").GetArrayLength());

        var restart = await Run("restart", "web");
        Assert.True(restart.ExitCode == 0, restart.ToString());
        var restarted = (await PsAsync())[0].GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("pid").GetInt32()).ToList();
        Assert.Empty(restarted.Intersect(pids));
        pids.AddRange(restarted);

        var down = await Run("down");
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.All(pids, pid => Assert.False(RunningProject.ProcessExists(pid), $"pid {pid} survived down"));
        Assert.Equal("[]", (await Run("ps", "--format", "json")).StandardOutput.Trim());
    }

    [Fact]
    public async Task UpDetachedFailsWithTheReasonAndTheLastLogLines()
    {
        _project.Write("compose.yaml", """
            name: failing
            services:
              db:
                command: sh -c 'echo "cannot open data directory" >&2; exit 3'
                healthcheck: {test: "true", interval: 1s}
            """);
        var up = await Run("up", "-d");
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("exited with code 3", up.StandardError);
        Assert.Contains("cannot open data directory", up.StandardError);
        Assert.DoesNotContain("   at ", up.StandardError);
    }

    [Fact]
    public async Task VerbsOnAProjectThatIsNotRunningSaySo()
    {
        _project.Write("compose.yaml", "name: idle\nservices:\n  web:\n    command: sleep 1\n");
        var ps = await Run("ps");
        Assert.Equal(1, ps.ExitCode);
        Assert.Contains("not running; start it with 'autonomy up -d'", ps.StandardError);
        Assert.Equal(1, (await Run("restart", "web")).ExitCode);
        Assert.Equal(0, (await Run("down")).ExitCode);
    }

    [Fact]
    public async Task ScaleNeedsServiceEqualsCount()
    {
        _project.Write("compose.yaml", "name: idle\nservices:\n  web:\n    command: sleep 1\n");
        var scale = await Run("scale", "web");
        Assert.Equal(1, scale.ExitCode);
        Assert.Contains("is not SERVICE=N", scale.StandardError);
    }

    [Fact]
    public async Task EachReplicaHasItsOwnTokenThatSeesOnlyItsOwnService()
    {
        _project.Write("probe.py", """
            import os, urllib.request, urllib.error
            def status(path):
                request = urllib.request.Request(os.environ["AUTONOMY_URL"] + path, headers={"Authorization": "Bearer " + os.environ["AUTONOMY_TOKEN"]})
                try:
                    with urllib.request.urlopen(request) as response:
                        return response.status
                except urllib.error.HTTPError as e:
                    return e.code
            with open("codes.txt", "w") as f:
                f.write(" ".join(str(status(p)) for p in ["/v1/services/probe", "/v1/services/other", "/v1/services", "/v1/status"]) + "\n")
                f.write(os.environ["AUTONOMY_TOKEN"] + "\n")
            import time; time.sleep(300)
            """);
        _project.Write("compose.yaml", "name: tokens\nservices:\n  probe:\n    command: [\"python3\", \"probe.py\"]\n  other:\n    command: sleep 300\n");
        var up = await Run("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());
        var codes = _project.PathOf("codes.txt");
        await RunningProject.WaitUntilAsync(() => File.Exists(codes) && File.ReadAllLines(codes).Length >= 2, "the probe wrote its results");
        var lines = File.ReadAllLines(codes);
        Assert.Equal("200 403 403 403", lines[0]);
        Assert.NotEqual(File.ReadAllText(Path.Combine(_project.Directory, ".autonomy", "tokens", "admin-token")).Trim(), lines[1]);
        Assert.StartsWith("svc_", lines[1]);
    }

    [Fact]
    public async Task UpOnARunningProjectChangesOnlyWhatChanged()
    {
        _project.Write("compose.yaml", "name: reconcile\nservices:\n  keep:\n    command: sleep 300\n  change:\n    command: sleep 300\n  drop:\n    command: sleep 300\n");
        Assert.Equal(0, (await Run("up", "-d")).ExitCode);
        static int Pid(JsonElement services, string name) =>
            services.EnumerateArray().Single(s => s.GetProperty("name").GetString() == name).GetProperty("replicas")[0].GetProperty("pid").GetInt32();
        var before = await PsAsync();

        _project.Write("compose.yaml", "name: reconcile\nservices:\n  keep:\n    command: sleep 300\n  change:\n    command: sleep 301\n  add:\n    command: sleep 300\n");
        var up = await Run("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Contains("recreated: change", up.StandardOutput);
        Assert.Contains("started: add", up.StandardOutput);
        Assert.Contains("stopped: drop", up.StandardOutput);
        Assert.Contains("unchanged: keep", up.StandardOutput);

        var after = await PsAsync();
        Assert.Equal(["add", "change", "keep"], after.EnumerateArray().Select(s => s.GetProperty("name").GetString()).Order());
        Assert.Equal(Pid(before, "keep"), Pid(after, "keep"));
        Assert.NotEqual(Pid(before, "change"), Pid(after, "change"));
        Assert.False(RunningProject.ProcessExists(Pid(before, "change")));
        Assert.False(RunningProject.ProcessExists(Pid(before, "drop")));
    }

    [Fact]
    public async Task UpOnARunningProjectWithABrokenFileChangesNothing()
    {
        _project.Write("compose.yaml", "name: broken\nservices:\n  keep:\n    command: sleep 300\n");
        Assert.Equal(0, (await Run("up", "-d")).ExitCode);
        var pid = (await PsAsync())[0].GetProperty("replicas")[0].GetProperty("pid").GetInt32();
        _project.Write("compose.yaml", "name: broken\nservices:\n  keep:\n    command: sleep 300\n    deploy: {replicas: three}\n");
        var up = await Run("up", "-d");
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("replicas must be a whole number", up.StandardError);
        _project.Write("compose.yaml", "name: broken\nservices:\n  keep:\n    command: sleep 300\n");
        Assert.Equal(pid, (await PsAsync())[0].GetProperty("replicas")[0].GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task AChangedServiceIsRolledOneReplicaAtATimeWithoutAGap()
    {
        _project.Write("app.py", TestApps.HttpApp);
        string Compose(string level) => "name: rolling\nservices:\n" + TestApps.HttpService("web", $"    deploy: {{replicas: 2}}\n    environment: {{LEVEL: {level}}}\n");
        _project.Write("compose.yaml", Compose("one"));
        Assert.Equal(0, (await Run("up", "-d")).ExitCode);
        var port = (await PsAsync())[0].GetProperty("port").GetInt32();

        // Requests all through the change: a rolling replace leaves no moment without a ready replica.
        // Each on a new connection: the forwarder works on connections, so a kept-alive one stays with
        // its replica until that stops (moving live connections is the gateway's work, at L7).
        using var cts = new CancellationTokenSource();
        var failures = 0;
        var load = Task.Run(async () =>
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.ConnectionClose = true;
            while (!cts.IsCancellationRequested)
            {
                try
                {
                    await http.GetStringAsync($"http://127.0.0.1:{port}/env/LEVEL");
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
                await Task.Delay(20);
            }
        });
        _project.Write("compose.yaml", Compose("two"));
        var up = await Run("up", "-d");
        await cts.CancelAsync();
        await load;
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Contains("recreated: web", up.StandardOutput);
        Assert.Equal(0, failures);
        using var client = new HttpClient();
        Assert.Equal("two", await client.GetStringAsync($"http://127.0.0.1:{port}/env/LEVEL"));
    }

    [Fact]
    public async Task RunStartsAOneOffWithTheServicesEnvironment()
    {
        _project.Write("compose.yaml", "name: oneoff\nservices:\n  api:\n    command: sleep 300\n    environment: {MODE: migrate}\n");
        var run = await Run("run", "api", "sh", "-c", "echo $MODE $AUTONOMY_SERVICE $AUTONOMY_INSTANCE; exit 4");
        Assert.Equal(4, run.ExitCode);
        Assert.Equal("migrate api api-run", run.StandardOutput.Trim());
    }

    [Fact]
    public async Task DownEndsOpenStreamsInsteadOfWaitingForThem()
    {
        _project.Write("compose.yaml", "name: streams\nservices:\n  web:\n    command: sleep 300\n");
        Assert.Equal(0, (await Run("up", "-d")).ExitCode);
        var followers = new[] { new[] { "logs", "--follow" }, ["config", "watch", "web"] }.Select(args =>
        {
            var start = new System.Diagnostics.ProcessStartInfo(Repository.Launcher, args) { WorkingDirectory = _project.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
            return System.Diagnostics.Process.Start(start)!;
        }).ToList();
        await Task.Delay(1500);
        Assert.All(followers, f => Assert.False(f.HasExited));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, (await Run("down")).ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"down took {clock.Elapsed.TotalSeconds:0.0} s with open streams");
        foreach (var follower in followers)
        {
            await follower.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            follower.Dispose();
        }
    }

    [Fact]
    public async Task TheServerPutsNoFileWatchesOnTheProjectTree()
    {
        // ASP.NET's default appsettings reload would watch the whole project folder with inotify.
        _project.Write("compose.yaml", "name: nowatch\nservices:\n  web:\n    command: sleep 300\n");
        for (var i = 0; i < 20; i++)
        {
            Directory.CreateDirectory(Path.Combine(_project.Directory, "src", $"module{i}"));
        }
        Assert.Equal(0, (await Run("up", "-d")).ExitCode);
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(_project.Directory, ".autonomy", "nowatch", "server.json")));
        var pid = record.RootElement.GetProperty("pid").GetInt32();
        var inotify = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count(fd => new FileInfo(fd).LinkTarget?.Contains("inotify", StringComparison.Ordinal) == true);
        Assert.Equal(0, inotify);
    }
}
