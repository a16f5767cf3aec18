using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Gateway;

/// <summary>
/// The acceptance check of a zero-downtime restart: a client that keeps its connections open and sends requests
/// throughout, POSTs among them (which nothing retries), sees every one answered while each replica is replaced.
/// </summary>
public sealed class RollingRestartUnderLoadTests
{
    // Answers its replica id to GET and POST, each after a short pause so that requests are in flight at any moment.
    private const string App = """
        import http.server, os, time
        instance = os.environ["AUTONOMY_INSTANCE"]
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                if self.path != "/health":
                    time.sleep(0.02)
                body = instance.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_GET = answer
            do_POST = answer
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    private const string Compose = """
        name: rolling
        x-autonomy:
          gateway: {port: 0}
        services:
          web:
            command: ["python3", "app.py"]
            deploy: {replicas: 2}
            x-autonomy:
              drain_grace: 10s
              healthcheck:
                http: /health
                interval: 200ms
                start_interval: 100ms
                retries: 2
        """;

    [Fact]
    public async Task Clients_on_kept_alive_connections_see_no_failed_request_while_every_replica_is_replaced_twice()
    {
        await using var server = await RunningServer.StartAsync(Compose, new Dictionary<string, string> { ["app.py"] = App });
        var url = $"http://127.0.0.1:{server.Plane.Supervisor.Plans[0].ServicePort}/";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var load = new ContinuousLoad(4, (worker, i) => i % 2 == 0
            ? client.PostAsync(url, new StringContent($"{worker}/{i}"), CancellationToken.None)
            : client.GetAsync(url, CancellationToken.None));
        await using (load)
        {
            await load.MoreAsync(50, "requests before the restarts");
            for (var round = 0; round < 2; round++)
            {
                using var restart = await server.Http.PostAsync("/v1/services/web/restart", null);
                Assert.True(restart.IsSuccessStatusCode, await restart.Content.ReadAsStringAsync());
            }
            await load.MoreAsync(50, "requests after the restarts");
        }

        Assert.Empty(load.Failures);
        Assert.Equal(["web-5", "web-6"], server.Plane.Supervisor.Status()[0].Replicas.Select(r => r.Id));
        Assert.Superset(new HashSet<string> { "web-1", "web-2", "web-5", "web-6" }, load.AnsweredBy);
    }
}
