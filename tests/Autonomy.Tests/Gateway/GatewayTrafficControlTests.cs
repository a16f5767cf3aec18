using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Gateway;

/// <summary>A route's rate limit, API key rule and a key's quota, enforced by the gateway in the running server.</summary>
public sealed class GatewayTrafficControlTests
{
    private const string Compose = """
        name: limits
        x-autonomy:
          gateway: {port: 0}
        services:

        """;

    [Fact]
    public async Task A_routes_rate_limit_and_key_rule_and_a_keys_quota_hold_on_real_requests_through_the_gateway()
    {
        var compose = Compose + GatewayApp.Service("orders", """
            routes:
              - {path: /open, rate_limit: {algorithm: fixed_window, limit: 3, window: 1h, per: client}}
              - {path: /keyed, api_key: required}
            """);
        await using var server = await RunningServer.StartAsync(compose, GatewayApp.Files);
        await GatewayApp.WaitForDestinationsAsync(server.Plane.Gateway, "orders", 1);
        using var gateway = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Plane.Gateway.Port}") };

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/open")).StatusCode);
        }
        using (var limited = await gateway.GetAsync("/open"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.GetAsync("/keyed")).StatusCode);
        using var created = await server.Http.PostAsJsonAsync("/v1/keys", new { routes = new[] { "orders/1" }, quota = "2/day" });
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString();
        HttpRequestMessage Keyed() => new(HttpMethod.Get, "/keyed") { Headers = { { "X-Api-Key", key } } };
        Assert.Equal(HttpStatusCode.OK, (await gateway.SendAsync(Keyed())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.SendAsync(Keyed())).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await gateway.SendAsync(Keyed())).StatusCode);
    }

    [Fact]
    public async Task A_wrong_rate_limit_in_the_file_stops_up_naming_the_service_and_the_key()
    {
        var compose = Compose + GatewayApp.Service("orders", "routes: [{path: /x, rate_limit: {algorithm: leaky, limit: 3, window: 1s}}]");
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(compose, GatewayApp.Files));
        Assert.Contains("service 'orders': x-autonomy.routes[0].rate_limit.algorithm", failure.Message, StringComparison.Ordinal);
    }
}
