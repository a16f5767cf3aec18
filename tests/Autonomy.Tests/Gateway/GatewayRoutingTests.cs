using System.Net;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Gateway;

/// <summary>One project with routes, served by a real server and real replicas, shared by the routing tests.</summary>
public sealed class RoutedProject : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public HttpClient Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var compose = "x-autonomy:\n  gateway: {port: 0}\nservices:\n"
            + GatewayApp.Service("orders", """
                routes:
                  - {path: /orders, strip_prefix: true}
                  - {path: /v1/orders, rewrite: /api}
                  - {path: /slow, timeout: 500ms}
                  - {host: api.example.test, path: /}
                """)
            + GatewayApp.Service("billing", "routes: [{path: /billing}]");
        Server = await RunningServer.StartAsync(compose, GatewayApp.Files);
        Gateway = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Server.Plane.Gateway.Port}"), Timeout = TimeSpan.FromSeconds(30) };
        await GatewayApp.WaitForDestinationsAsync(Server.Plane.Gateway, "orders", 1);
        await GatewayApp.WaitForDestinationsAsync(Server.Plane.Gateway, "billing", 1);
    }

    public int ServicePort(string service) => Server.Plane.Supervisor.Plans.Single(p => p.Name == service).ServicePort;

    public async Task DisposeAsync()
    {
        Gateway.Dispose();
        await Server.DisposeAsync();
    }
}

public sealed class GatewayRoutingTests(RoutedProject project) : IClassFixture<RoutedProject>
{
    private HttpClient Gateway => project.Gateway;

    [Fact]
    public async Task Routes_match_path_prefixes_by_segment_and_strip_or_rewrite_them()
    {
        var stripped = await GatewayApp.GetAsync(Gateway, "/orders/items/7?x=1");
        Assert.Equal(("orders-1", "/items/7?x=1"), (stripped.Instance, stripped.Path));
        Assert.Equal("/", (await GatewayApp.GetAsync(Gateway, "/orders")).Path);
        var rewritten = await GatewayApp.GetAsync(Gateway, "/v1/orders/list");
        Assert.Equal(("orders-1", "/api/list"), (rewritten.Instance, rewritten.Path));
        var kept = await GatewayApp.GetAsync(Gateway, "/billing/invoices");
        Assert.Equal(("billing-1", "/billing/invoices"), (kept.Instance, kept.Path));
        Assert.Equal(HttpStatusCode.NotFound, (await Gateway.GetAsync("/ordersx")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Gateway.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task A_route_for_a_host_takes_only_requests_for_that_host()
    {
        var seen = await GatewayApp.GetAsync(Gateway, "/anything", host: "api.example.test");
        Assert.Equal(("orders-1", "/anything", "api.example.test"), (seen.Instance, seen.Path, seen.Host));
        using var other = new HttpRequestMessage(HttpMethod.Get, "/anything");
        other.Headers.Host = "www.example.test";
        Assert.Equal(HttpStatusCode.NotFound, (await Gateway.SendAsync(other)).StatusCode);
    }

    [Fact]
    public async Task A_request_longer_than_its_routes_timeout_is_answered_504()
    {
        Assert.Equal("/slow/sleep/10", (await GatewayApp.GetAsync(Gateway, "/slow/sleep/10")).Path);
        using var response = await Gateway.GetAsync("/slow/sleep/3000");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    [Fact]
    public async Task Each_request_gets_a_request_id_and_trace_context_forwarded_and_the_id_echoed()
    {
        using var plain = await Gateway.GetAsync("/orders/a");
        var seen = JsonSerializer.Deserialize<GatewayApp.Seen>(await plain.Content.ReadAsStringAsync())!;
        Assert.Matches("^[0-9a-f]{32}$", seen.RequestId);
        Assert.Equal(seen.RequestId, plain.Headers.GetValues("X-Request-Id").Single());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", seen.TraceParent);

        const string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/b");
        request.Headers.Add("X-Request-Id", "client-chosen-42");
        request.Headers.Add("traceparent", $"00-{trace}-00f067aa0ba902b7-01");
        using var continued = await Gateway.SendAsync(request);
        var forwarded = JsonSerializer.Deserialize<GatewayApp.Seen>(await continued.Content.ReadAsStringAsync())!;
        Assert.Equal("client-chosen-42", forwarded.RequestId);
        Assert.Equal("client-chosen-42", continued.Headers.GetValues("X-Request-Id").Single());
        Assert.StartsWith($"00-{trace}-", forwarded.TraceParent);
        Assert.EndsWith("-01", forwarded.TraceParent);
        Assert.DoesNotContain("00f067aa0ba902b7", forwarded.TraceParent);
    }

    [Fact]
    public async Task Each_request_on_a_route_is_a_json_line_in_that_routes_access_log()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/billing/logged?q=1");
        request.Headers.Add("X-Request-Id", "access-log-probe");
        using var response = await Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var file = project.Server.Plane.Gateway.AccessLogOf("billing/0");
        Assert.Equal(Path.Combine(project.Server.Plane.StateDirectory, "logs", "gateway", "billing", "0.log"), file);
        JsonElement? line = null;
        for (var i = 0; i < 100 && line is null; i++)
        {
            await Task.Delay(50);
            line = File.Exists(file) ? ReadShared(file).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Cast<JsonElement?>().FirstOrDefault(l => l!.Value.GetProperty("request_id").GetString() == "access-log-probe") : null;
        }
        Assert.NotNull(line);
        var entry = line.Value;
        Assert.Equal("billing/0", entry.GetProperty("route").GetString());
        Assert.Equal("GET", entry.GetProperty("method").GetString());
        Assert.Equal("/billing/logged", entry.GetProperty("path").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.True(entry.GetProperty("duration_ms").GetDouble() > 0);
        Assert.StartsWith("http://127.0.0.1:", entry.GetProperty("destination").GetString());
        Assert.Equal("127.0.0.1", entry.GetProperty("client").GetString());
        Assert.True(entry.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task The_services_own_port_is_served_by_the_gateway_whatever_the_path_and_a_marker_from_a_client_is_ignored()
    {
        using var direct = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{project.ServicePort("orders")}") };
        var seen = await GatewayApp.GetAsync(direct, "/orders/not-stripped");
        Assert.Equal(("orders-1", "/orders/not-stripped", null), (seen.Instance, seen.Path, seen.Frontend));
        Assert.Matches("^[0-9a-f]{32}$", seen.RequestId);

        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/billing/x");
        spoofed.Headers.Add("X-Autonomy-Frontend", "orders");
        using var response = await Gateway.SendAsync(spoofed);
        var routed = JsonSerializer.Deserialize<GatewayApp.Seen>(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(("billing-1", null), (routed.Instance, routed.Frontend));
    }

    [Fact]
    public async Task A_streamed_answer_reaches_the_client_part_by_part()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{project.ServicePort("orders")}"), Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The replica holds the rest of its answer until the first part has been read through the gateway.
        Assert.Equal("part 0", await reader.ReadLineAsync());
        project.Server.Files.Write("stream.go", "");
        Assert.Equal("part 1\npart 2\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task An_upgraded_connection_outlives_its_routes_timeout()
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, project.Server.Plane.Gateway.Port);
        var stream = tcp.GetStream();
        stream.ReadTimeout = 15_000;
        await stream.WriteAsync("GET /slow/socket HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"u8.ToArray());
        var head = new System.Text.StringBuilder();
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var b = stream.ReadByte();
            Assert.NotEqual(-1, b);
            head.Append((char)b);
        }
        Assert.StartsWith("HTTP/1.1 101", head.ToString(), StringComparison.Ordinal);

        // Three times the route's 500 ms timeout: the connection is still there, both ways.
        await Task.Delay(1500);
        await stream.WriteAsync("still here"u8.ToArray());
        var echoed = new byte[10];
        await stream.ReadExactlyAsync(echoed).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("still here", System.Text.Encoding.ASCII.GetString(echoed));
    }

    [Theory]
    [InlineData(29)]
    [InlineData(65_535)]
    [InlineData(3_000_001)]
    public async Task An_answer_of_any_size_arrives_whole_and_in_order(int size)
    {
        // The gateway holds small pieces back to send them together: nothing may be lost, doubled or reordered.
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{project.ServicePort("orders")}"), Timeout = TimeSpan.FromSeconds(30) };
        var body = await client.GetByteArrayAsync($"/bytes/{size}");
        Assert.Equal(size, body.Length);
        var firstWrong = Enumerable.Range(0, size).FirstOrDefault(i => body[i] != i % 251, -1);
        Assert.Equal(-1, firstWrong);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
