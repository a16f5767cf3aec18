using System.Net;
using System.Text.Json;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary>
/// Each algorithm through real HTTP requests. Windows are long enough that a slow machine cannot
/// cross one by accident where the test needs to stay inside it; where a test waits for one to end,
/// it polls for the change with a generous deadline instead of sleeping for an exact time.
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
    public async Task AFixedWindowLetsTheWholeLimitThroughAgainWhenItEnds()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"rate_limit": {"algorithm": "fixed_window", "limit": 2, "window": "2s"}}"""));
        using var client = fixture.Host.Client();

        await SpendAsync(client, "/orders/0/", 2);
        await WaitForAdmissionAsync(client, "/orders/0/");
        // The whole limit is back at once: one more goes through before the window is spent again.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/orders/0/")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/orders/0/")).StatusCode);
    }

    [Fact]
    public async Task ASlidingWindowGivesBackOnlyWhatItsOldestSegmentUsed()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"rate_limit": {"algorithm": "sliding_window", "limit": 2, "window": "4s", "segments": 2}}"""));
        using var client = fixture.Host.Client();

        // One request in the first 2-second segment, one in the second.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/orders/0/")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/orders/0/")).StatusCode);
        using (var refused = await client.GetAsync("/orders/0/"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 4);
        }
        // When the first segment slides out, its one request comes back; the second segment's is still counted
        // (a fixed window would now have let two through).
        await WaitForAdmissionAsync(client, "/orders/0/");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/orders/0/")).StatusCode);
    }

    [Fact]
    public async Task ATokenBucketRefillsByItsTokensPerPeriodUpToItsSize()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"rate_limit": {"algorithm": "token_bucket", "limit": 3, "window": "2s", "tokens_per_period": 1}}"""));
        using var client = fixture.Host.Client();

        await SpendAsync(client, "/orders/0/", 3);
        // One token a period: one request, then the bucket is empty again.
        await WaitForAdmissionAsync(client, "/orders/0/");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/orders/0/")).StatusCode);
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
    public async Task AQueuedRequestWaitsForAPermitInsteadOfBeingRefused()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"rate_limit": {"limit": 1, "window": "1s", "queue": 1}}"""));
        using var client = fixture.Host.Client();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/orders/0/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/orders/0/")).StatusCode);
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
    private static async Task SpendAsync(HttpClient client, string path, int limit)
    {
        for (var i = 0; i < limit; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync(path)).StatusCode);
    }

    /// <summary>Polls until a request goes through again (the limiter replenished), failing after a generous deadline.</summary>
    private static async Task WaitForAdmissionAsync(HttpClient client, string path)
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
