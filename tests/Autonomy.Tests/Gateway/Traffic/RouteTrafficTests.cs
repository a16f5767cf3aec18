using System.Text.Json.Nodes;
using Autonomy.Server.Gateway.Traffic;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary>A route's <c>rate_limit</c> and <c>api_key</c> as the compose file writes them, and the errors a mistake gets.</summary>
public sealed class RouteTrafficTests
{
    private const string Where = "compose.yaml: service orders: x-autonomy.routes[1]";

    [Fact]
    public void ReadsEachAlgorithmWithItsSettingsAndDefaults()
    {
        var bucket = Parse("""{"rate_limit": {"algorithm": "token_bucket", "limit": 100, "window": "1s", "per": "client"}, "api_key": "required"}""");
        Assert.Equal(new RateLimitPolicy(RateLimitAlgorithm.TokenBucket, 100, TimeSpan.FromSeconds(1), RateLimitScope.Client) { TokensPerPeriod = 100 }, bucket.RateLimit);
        Assert.Equal(ApiKeyMode.Required, bucket.ApiKey);

        // Numbers may arrive as strings (a quoted YAML scalar).
        var sliding = Parse("""{"rate_limit": {"algorithm": "sliding_window", "limit": "10", "window": "1m", "segments": 6, "per": "key", "queue": 5}, "api_key": "optional"}""");
        Assert.Equal(new RateLimitPolicy(RateLimitAlgorithm.SlidingWindow, 10, TimeSpan.FromMinutes(1), RateLimitScope.Key) { Segments = 6, Queue = 5 }, sliding.RateLimit);
        Assert.Equal(ApiKeyMode.Optional, sliding.ApiKey);

        var fixedWindow = Parse("""{"rate_limit": {"limit": 5}}""");
        Assert.Equal(new RateLimitPolicy(RateLimitAlgorithm.FixedWindow, 5, TimeSpan.FromSeconds(1), RateLimitScope.Client), fixedWindow.RateLimit);

        Assert.True(Parse("""{"path": "/orders"}""").IsUnrestricted);
        Assert.Equal(ApiKeyMode.Required, Parse("""{"api_key": "required"}""").ApiKey);
    }

    [Theory]
    [InlineData("""{"rate_limit": {"algorithm": "leaky_bucket", "limit": 5}}""", "x-autonomy.routes[1].rate_limit.algorithm is 'leaky_bucket', which is not an algorithm; write fixed_window, sliding_window or token_bucket")]
    [InlineData("""{"rate_limit": {"limit": 0}}""", "x-autonomy.routes[1].rate_limit.limit is '0', which is not a whole number from 1 to 1000000000; write e.g. 'limit: 100'")]
    [InlineData("""{"rate_limit": {"limit": "lots"}}""", "x-autonomy.routes[1].rate_limit.limit is 'lots', which is not a whole number")]
    [InlineData("""{"rate_limit": {"window": "1s"}}""", "x-autonomy.routes[1].rate_limit has no limit; write how many requests a window lets through, e.g. 'limit: 100'")]
    [InlineData("""{"rate_limit": {"limit": 5, "window": "fast"}}""", "x-autonomy.routes[1].rate_limit.window is 'fast', which is not a duration; write e.g. '1s', '500ms' or '1m'")]
    [InlineData("""{"rate_limit": {"limit": 5, "window": "10ms"}}""", "x-autonomy.routes[1].rate_limit.window is '10ms'; write a window from 100ms to 24h")]
    [InlineData("""{"rate_limit": {"limit": 5, "per": "ip"}}""", "x-autonomy.routes[1].rate_limit.per is 'ip', which is not a choice; write route (one limit for everyone), client")]
    [InlineData("""{"rate_limit": {"limit": 5, "segments": 4}}""", "x-autonomy.routes[1].rate_limit.segments applies to sliding_window only; remove it, or write 'algorithm: sliding_window'")]
    [InlineData("""{"rate_limit": {"limit": 5, "tokens_per_period": 4}}""", "x-autonomy.routes[1].rate_limit.tokens_per_period applies to token_bucket only")]
    [InlineData("""{"rate_limit": {"limit": 5, "burst": 4}}""", "x-autonomy.routes[1].rate_limit.burst is not a rate limit setting; the settings are algorithm, limit, window, per, segments, tokens_per_period, queue")]
    [InlineData("""{"rate_limit": {"limit": 5, "per": "key"}}""", "x-autonomy.routes[1].rate_limit.per is 'key', but the route takes no API key; add 'api_key: required' (or optional) to the route, or write 'per: client'")]
    [InlineData("""{"rate_limit": 100}""", "x-autonomy.routes[1].rate_limit is '100', which is not a mapping; write e.g. 'rate_limit: {algorithm: token_bucket, limit: 100, window: 1s, per: client}'")]
    [InlineData("""{"api_key": true}""", "x-autonomy.routes[1].api_key is 'true', which is not a choice; write 'api_key: required' (every request needs a key) or 'api_key: optional'")]
    public void AMistakeIsNamedWithTheKeyAndHowToWriteIt(string route, string expected)
    {
        var problems = new List<string>();
        var policy = RouteTraffic.Parse(JsonNode.Parse(route)!.AsObject(), Where, problems);
        var problem = Assert.Single(problems);
        Assert.StartsWith("compose.yaml: service orders: ", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.True(policy.IsUnrestricted);
    }

    private static RouteTraffic Parse(string route)
    {
        var problems = new List<string>();
        var policy = RouteTraffic.Parse(JsonNode.Parse(route)!.AsObject(), Where, problems);
        Assert.Empty(problems);
        return policy;
    }
}
