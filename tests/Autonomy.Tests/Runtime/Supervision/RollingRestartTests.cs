using Autonomy.Server.Runtime.Supervision;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>
/// A restart starts each new replica beside the old one, moves traffic once it is healthy, lets the old one finish
/// what it serves, then stops it: a client sending requests throughout sees none fail.
/// </summary>
public sealed class RollingRestartTests
{
    // "/" answers the replica's id; "/slow" answers it after 3 s; it refuses to start while "broken" exists.
    private const string App = """
        import http.server, os, sys, time
        if os.path.exists("broken"):
            sys.exit(3)
        instance = os.environ["AUTONOMY_INSTANCE"]
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass
            def do_GET(self):
                if self.path == "/slow":
                    time.sleep(3)
                body = instance.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    private static RunningProject Project(int replicas = 1) => new($"""
        services:
          web:
            command: ["python3", "app.py"]
            deploy:
              replicas: {replicas}
            x-autonomy:
              drain_grace: 10s
              healthcheck:
                http: /
                interval: 200ms
                start_interval: 100ms
                retries: 2
        """);

    private static async Task<RunningProject> UpAsync(int replicas = 1)
    {
        var p = Project(replicas);
        p.Files.Write("app.py", App);
        await p.UpAsync();
        return p;
    }

    // A new connection per request, so that each one is routed afresh through the service's TCP port.
    private static HttpClient Client() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task A_client_sending_requests_throughout_two_restarts_of_a_single_replica_sees_none_fail()
    {
        await using var p = await UpAsync();
        var url = $"http://127.0.0.1:{p.Supervisor.Plans[0].ServicePort}/";
        using var client = Client();
        client.DefaultRequestHeaders.ConnectionClose = true;
        var load = new ContinuousLoad(1, (_, _) => client.GetAsync(url, CancellationToken.None));
        await using (load)
        {
            await load.MoreAsync(20, "requests before the restart");
            await p.Supervisor.RestartAsync("web");
            await p.Supervisor.RestartAsync("web");
            await load.MoreAsync(20, "requests after the restarts");
        }

        Assert.Empty(load.Failures);
        // The new replicas have new ids, so the registry, tokens and files of the old one never mix with the new one.
        Assert.Equal(["web-3"], p.Supervisor.Status()[0].Replicas.Select(r => r.Id));
        Assert.Equal(["web-1", "web-2", "web-3"], load.AnsweredBy.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_request_in_flight_on_the_old_replica_finishes_before_it_is_stopped()
    {
        await using var p = await UpAsync();
        var url = $"http://127.0.0.1:{p.Supervisor.Plans[0].ServicePort}/slow";
        using var client = Client();
        var slow = client.GetStringAsync(url);
        // The slow request is on web-1 before the restart begins (its connection is open to it).
        await RunningProject.WaitUntilAsync(() => p.Supervisor.Status()[0].Replicas.Count == 1 && !slow.IsCompleted, "the slow request is sent");
        await Task.Delay(200);
        var restart = p.Supervisor.RestartAsync("web");
        await RunningProject.WaitUntilAsync(() => p.Supervisor.Status()[0].Replicas.Any(r => r.Id == "web-1" && r.Draining), "web-1 drains");
        Assert.False(slow.IsCompleted);
        Assert.True(p.Replica("web-2").State == ReplicaState.Running);
        Assert.Equal("web-1", await slow);
        await restart;
        Assert.Equal(["web-2"], p.Supervisor.Status()[0].Replicas.Select(r => r.Id));
    }

    [Fact]
    public async Task A_replacement_that_cannot_start_is_removed_and_the_old_replica_keeps_serving()
    {
        await using var p = await UpAsync();
        var old = p.Replica("web-1").Pid;
        p.Files.Write("broken", "");

        var failure = await Assert.ThrowsAsync<ServiceStartException>(() => p.Supervisor.RestartAsync("web"));
        Assert.Contains("web-2", failure.Message, StringComparison.Ordinal);

        var replicas = p.Supervisor.Status()[0].Replicas;
        Assert.Equal(["web-1"], replicas.Select(r => r.Id));
        Assert.Equal((old, ReplicaState.Running), (replicas[0].Pid, replicas[0].State));
        using var client = Client();
        Assert.Equal("web-1", await client.GetStringAsync($"http://127.0.0.1:{p.Supervisor.Plans[0].ServicePort}/"));
    }

    [Fact]
    public async Task A_restart_keeps_the_replica_count_and_the_order_in_which_scaling_down_removes_them()
    {
        await using var p = await UpAsync(replicas: 2);
        await p.Supervisor.RestartAsync("web");
        Assert.Equal(["web-3", "web-4"], p.Supervisor.Status()[0].Replicas.Select(r => r.Id));
        await p.Supervisor.ScaleAsync("web", 1);
        Assert.Equal(["web-3"], p.Supervisor.Status()[0].Replicas.Select(r => r.Id));
    }
}
