using System.Net;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary>
/// How each algorithm gives permits back, through real HTTP requests. Where a test needs to stay inside a
/// window, the window is long enough that a slow machine cannot cross it by accident; where it waits for
/// one to end, it polls for the change with a generous deadline instead of sleeping for an exact time.
/// Apart from the other rate limit tests so that their waits overlap.
/// </summary>
public sealed class ReplenishmentTests
{
    [Fact]
    public async Task AFixedWindowLetsTheWholeLimitThroughAgainWhenItEnds()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"rate_limit": {"algorithm": "fixed_window", "limit": 2, "window": "2s"}}"""));
        using var client = fixture.Host.Client();

        await RateLimitTests.SpendAsync(client, "/orders/0/", 2);
        await RateLimitTests.WaitForAdmissionAsync(client, "/orders/0/");
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
        await RateLimitTests.WaitForAdmissionAsync(client, "/orders/0/");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/orders/0/")).StatusCode);
    }

    [Fact]
    public async Task ATokenBucketRefillsByItsTokensPerPeriodUpToItsSize()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"rate_limit": {"algorithm": "token_bucket", "limit": 3, "window": "2s", "tokens_per_period": 1}}"""));
        using var client = fixture.Host.Client();

        await RateLimitTests.SpendAsync(client, "/orders/0/", 3);
        // One token a period: one request, then the bucket is empty again.
        await RateLimitTests.WaitForAdmissionAsync(client, "/orders/0/");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/orders/0/")).StatusCode);
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
}
