using System.Net;
using System.Text.Json;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary>
/// Rate limits through real HTTP requests: refusals, partitions and reloads. Windows are long enough
/// that a slow machine cannot cross one by accident.
/// </summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task OverTheLimitIsAnswered429WithRetryAfterAndAProblem()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"rate_limit": {"algorithm": "fixed_window", "limit": 3, "window": "1m"}}"""));
        using var client = fixture.Host.Client();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/orders/0/items")).StatusCode);
        }
        using var refused = await client.GetAsync("/orders/0/items");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("urn:autonomy:problem:rate-limited", problem.RootElement.GetProperty("type").GetString());
        Assert.StartsWith("route orders/0 lets 3 requests through every 1m0s per client; retry in ", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Another route is not limited by this one's.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/orders/1/items")).StatusCode);
    }

    [Fact]
    public async Task EachClientAddressHasItsOwnLimitUnlessTheRouteSharesOne()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(
            ("orders/0", """{"rate_limit": {"limit": 1, "window": "1m", "per": "client"}}"""),
            ("orders/1", """{"rate_limit": {"limit": 1, "window": "1m", "per": "route"}}"""));
        using var first = fixture.Host.Client("127.0.0.1");
        using var second = fixture.Host.Client("127.0.0.2");

        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/orders/0/")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await first.GetAsync("/orders/0/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/orders/0/")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await second.GetAsync("/orders/0/")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/orders/1/")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await second.GetAsync("/orders/1/")).StatusCode);
    }

    [Fact]
    public async Task EachApiKeyHasItsOwnLimitWhenTheRouteCountsPerKey()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"rate_limit": {"limit": 1, "window": "1m", "per": "key"}, "api_key": "required"}"""));
        var (_, one) = await fixture.CreateKeyAsync(["orders/0"]);
        var (_, two) = await fixture.CreateKeyAsync(["orders/0"]);
        using var client = fixture.Host.Client();

        Assert.Equal(HttpStatusCode.OK, (await WithKey(client, one)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await WithKey(client, one)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WithKey(client, two)).StatusCode);

        static Task<HttpResponseMessage> WithKey(HttpClient client, string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/orders/0/");
            request.Headers.Add("X-Api-Key", key);
            return client.SendAsync(request);
        }
    }

    [Fact]
    public async Task AReloadKeepsWhatAnUnchangedLimitCountedAndStartsAChangedOneAfresh()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        const string limited = """{"rate_limit": {"limit": 1, "window": "1m"}}""";
        fixture.Load(("orders/0", limited), ("orders/1", limited));
        using var client = fixture.Host.Client();
        await SpendAsync(client, "/orders/0/", 1);
        await SpendAsync(client, "/orders/1/", 1);

        fixture.Load(("orders/0", limited), ("orders/1", """{"rate_limit": {"limit": 2, "window": "1m"}}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/orders/0/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/orders/1/")).StatusCode);

        fixture.Load();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/orders/0/")).StatusCode);
    }

    /// <summary>Sends until a request is refused: exactly <paramref name="limit"/> go through first.</summary>
    internal static async Task SpendAsync(HttpClient client, string path, int limit)
    {
        for (var i = 0; i < limit; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync(path)).StatusCode);
    }

    /// <summary>Polls until a request goes through again (the limiter replenished), failing after a generous deadline.</summary>
    internal static async Task WaitForAdmissionAsync(HttpClient client, string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            using var response = await client.GetAsync(path);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the limit never let a request through again");
            await Task.Delay(50);
        }
    }
}
