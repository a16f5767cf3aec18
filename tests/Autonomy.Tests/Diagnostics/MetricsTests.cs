using System.Globalization;
using System.Net;
using System.Text;
using Autonomy.Tests.Gateway;
using Autonomy.Tests.Governance;
using Autonomy.Tests.TestUtilities;
using RabbitMQ.Client;

namespace Autonomy.Tests.Diagnostics;

/// <summary><c>GET /metrics</c> scraped from a real server after real traffic: every family, with values that fit what was done.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task EveryFamilyIsScrapedWithValuesThatFitWhatWasDoneAndATokenIsNeeded()
    {
        // The gateway's counts and the histograms are the process's (a real server runs alone in its process), and other
        // tests run servers in this one: the service has a name, and so a route, that no other test uses.
        await using var server = await RunningServer.StartAsync(
            "name: metrics\nx-autonomy:\n  gateway: {port: 0}\nservices:\n" + GatewayApp.Service("meters", "routes: [{path: /meters}]"), GatewayApp.Files,
            configure: o => o with { UsageSampleInterval = TimeSpan.FromMilliseconds(200) });

        // Gateway: three answered requests on the route.
        await GatewayApp.WaitForDestinationsAsync(server.Plane.Gateway, "meters", 1);
        using var gateway = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Plane.Gateway.Port}"), Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < 3; i++)
        {
            await GatewayApp.GetAsync(gateway, $"/meters/{i}");
        }

        // Config: a write while a watcher listens, so that its push is timed.
        using (var watch = await server.Http.GetAsync("/v1/config/meters/watch", HttpCompletionOption.ResponseHeadersRead))
        {
            using var events = new StreamReader(await watch.Content.ReadAsStreamAsync());
            Assert.Equal(": ok", await events.ReadLineAsync());
            using var put = await server.Http.PutAsync("/v1/config/meters/keys/Mode", new StringContent("fast", Encoding.UTF8, "text/plain"));
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
            while (await events.ReadLineAsync() is { } line && !line.StartsWith("data:", StringComparison.Ordinal))
            {
            }
        }

        // Broker: three persistent messages confirmed into a durable queue, one fetched and acked, one fetched and held; a consumer on another queue.
        var url = server.Plane.ServiceVhosts!.VariablesFor("meters")["MESSAGE_QUEUE_URL"];
        await using var connection = await RabbitClients.ConnectAsync(url);
        await using var channel = await connection.ConfirmingChannelAsync();
        await channel.QueueDeclareAsync("work", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync("listened", durable: true, exclusive: false, autoDelete: false);
        for (var i = 0; i < 3; i++)
        {
            await channel.BasicPublishAsync("", "work", mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes($"job {i}"));
        }
        var first = await channel.BasicGetAsync("work", autoAck: false);
        await channel.BasicAckAsync(first!.DeliveryTag, multiple: false);
        Assert.NotNull(await channel.BasicGetAsync("work", autoAck: false));
        await using var listening = await connection.CreateChannelAsync();
        await listening.BasicConsumeAsync("listened", autoAck: false, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(listening));

        // Replicas' CPU and memory are there once sampled.
        await RunningProject.WaitUntilAsync(() => server.Plane.Supervisor.Status().Single().Replicas[0].MemoryBytes is > 0, "the replica's usage is sampled");

        var text = await Scrape(server.Http, HttpStatusCode.OK);
        var metrics = Parse(text);
        double Value(string name, params string[] labels)
        {
            var found = metrics.Where(m => m.Name == name && labels.All(l => m.Labels.Contains(l, StringComparison.Ordinal))).ToList();
            Assert.True(found.Count == 1, $"{found.Count} samples of {name} with {string.Join(", ", labels)} in:\n{text}");
            return found[0].Value;
        }

        string[] meters = ["service=\"meters\"", "replica=\"meters-1\""];
        Assert.Equal(1, Value("autonomy_replica_health", [.. meters, "health=\"healthy\""]));
        Assert.Equal(0, Value("autonomy_replica_health", [.. meters, "health=\"unhealthy\""]));
        Assert.Equal(1, Value("autonomy_replica_up", meters));
        Assert.Equal(0, Value("autonomy_replica_restarts_total", meters));
        Assert.InRange(Value("autonomy_replica_cpu_percent", meters), 0, 400);
        Assert.True(Value("autonomy_replica_memory_bytes", meters) > 1_000_000);

        Assert.True(Value("autonomy_config_revision", "namespace=\"meters\"") >= 1);
        Assert.True(Value("autonomy_config_push_latency_seconds_count", "namespace=\"meters\"", "delivery=\"watch\"") >= 1);
        Assert.True(Value("autonomy_store_fsync_duration_seconds_count") >= 1);

        Assert.Equal(3, Value("autonomy_broker_messages_published_total"));
        Assert.Equal(2, Value("autonomy_broker_messages_delivered_total"));
        Assert.Equal(1, Value("autonomy_broker_messages_acked_total"));
        string[] work = ["vhost=\"meters\"", "queue=\"work\""];
        Assert.Equal(3, Value("autonomy_broker_queue_published_total", work));
        Assert.Equal(2, Value("autonomy_broker_queue_delivered_total", work));
        Assert.Equal(1, Value("autonomy_broker_queue_ready", work));
        Assert.Equal(1, Value("autonomy_broker_queue_unacked", work));
        Assert.Equal(0, Value("autonomy_broker_queue_consumers", work));
        Assert.Equal(1, Value("autonomy_broker_queue_consumers", "vhost=\"meters\"", "queue=\"listened\""));
        Assert.True(Value("autonomy_broker_confirm_latency_seconds_count") >= 3);
        Assert.True(Value("autonomy_broker_log_fsync_duration_seconds_count") >= 1);

        Assert.Equal(3, Value("autonomy_gateway_requests_total", "route=\"meters/0\"", "status_class=\"2xx\""));
        Assert.Equal(3, Value("autonomy_gateway_request_duration_seconds_count", "route=\"meters/0\"", "status_class=\"2xx\""));
        Assert.Equal(3, Value("autonomy_gateway_request_duration_seconds_bucket", "route=\"meters/0\"", "status_class=\"2xx\"", "le=\"+Inf\""));

        // A read-only token may scrape; no token, or a service's own, may not.
        var (_, readOnly) = await TokensApiTests.MakeAsync(server, new { role = "read-only" });
        using var reader = server.Client(readOnly);
        Assert.Contains("autonomy_replica_up", await Scrape(reader, HttpStatusCode.OK), StringComparison.Ordinal);
        using var anonymous = server.Client(null);
        Assert.Contains("A valid token is required", await Scrape(anonymous, HttpStatusCode.Unauthorized), StringComparison.Ordinal);
    }

    private static async Task<string> Scrape(HttpClient client, HttpStatusCode expected)
    {
        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    /// <summary>The samples of a Prometheus text exposition: name, the labels as written between the braces, value.</summary>
    private static List<(string Name, string Labels, double Value)> Parse(string text) =>
        [.. text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(line =>
        {
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var end = line.LastIndexOf('}');
            var name = brace < 0 ? line[..line.IndexOf(' ', StringComparison.Ordinal)] : line[..brace];
            var labels = brace < 0 ? "" : line[(brace + 1)..end];
            var rest = line[((brace < 0 ? name.Length : end + 1) + 1)..].Split(' ')[0];
            return (name, labels, double.Parse(rest, CultureInfo.InvariantCulture));
        })];
}
