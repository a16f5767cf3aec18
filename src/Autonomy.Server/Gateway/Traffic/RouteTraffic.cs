using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Loading;

namespace Autonomy.Server.Gateway.Traffic;

/// <summary>
/// What a route lets through: its <c>rate_limit</c> (null: none) and whether it asks for an API key.
/// Read from the route's entry in <c>x-autonomy.routes</c> by <see cref="Parse"/>.
/// </summary>
public sealed record RouteTraffic(RateLimitPolicy? RateLimit, ApiKeyMode ApiKey)
{
    /// <summary>A route with neither a limit nor keys: every request goes through.</summary>
    public static RouteTraffic Unrestricted { get; } = new(null, ApiKeyMode.None);

    public bool IsUnrestricted => RateLimit is null && ApiKey == ApiKeyMode.None;

    // The partitioned limiter's timer replenishes every 100 ms: a shorter window or segment would not be kept.
    private static readonly TimeSpan ShortestPeriod = TimeSpan.FromMilliseconds(100);
    private const int MaxLimit = 1_000_000_000;
    private const int MaxQueue = 10_000;
    private const int MaxSegments = 1000;

    private static readonly string[] RateLimitKeys = ["algorithm", "limit", "window", "per", "segments", "tokens_per_period", "queue"];

    /// <summary>
    /// Reads <c>rate_limit</c> and <c>api_key</c> of one route. <paramref name="where"/> names the route
    /// (e.g. <c>compose.yaml: service orders: x-autonomy.routes[1]</c>); each problem is added to
    /// <paramref name="problems"/> naming the key and how to write it, and the route is then read as unrestricted.
    /// </summary>
    public static RouteTraffic Parse(JsonObject route, string where, ICollection<string> problems)
    {
        var before = problems.Count;
        var apiKey = ParseApiKey(route["api_key"], where, problems);
        RateLimitPolicy? limit = null;
        if (route.TryGetPropertyValue("rate_limit", out var node))
        {
            limit = ParseRateLimit(node, $"{where}.rate_limit", problems);
            if (limit is { Per: RateLimitScope.Key } && apiKey == ApiKeyMode.None && problems.Count == before)
            {
                problems.Add($"{where}.rate_limit.per is 'key', but the route takes no API key; add 'api_key: required' (or optional) to the route, or write 'per: client'");
            }
        }
        return problems.Count > before ? Unrestricted : new RouteTraffic(limit, apiKey);
    }

    private static ApiKeyMode ParseApiKey(JsonNode? node, string where, ICollection<string> problems)
    {
        switch (node)
        {
            case null:
                return ApiKeyMode.None;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "required":
                return ApiKeyMode.Required;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "optional":
                return ApiKeyMode.Optional;
            default:
                problems.Add($"{where}.api_key is {Show(node)}, which is not a choice; write 'api_key: required' (every request needs a key) or 'api_key: optional' (a key, when sent, is checked and counted)");
                return ApiKeyMode.None;
        }
    }

    private static RateLimitPolicy? ParseRateLimit(JsonNode? node, string where, ICollection<string> problems)
    {
        if (node is not JsonObject limit)
        {
            problems.Add($"{where} is {Show(node)}, which is not a mapping; write e.g. 'rate_limit: {{algorithm: token_bucket, limit: 100, window: 1s, per: client}}'");
            return null;
        }
        var before = problems.Count;
        foreach (var (key, _) in limit)
        {
            if (!RateLimitKeys.Contains(key, StringComparer.Ordinal))
            {
                problems.Add($"{where}.{key} is not a rate limit setting; the settings are {string.Join(", ", RateLimitKeys)}");
            }
        }
        var algorithm = Word(limit, "algorithm", where, problems) switch
        {
            null or "fixed_window" => RateLimitAlgorithm.FixedWindow,
            "sliding_window" => RateLimitAlgorithm.SlidingWindow,
            "token_bucket" => RateLimitAlgorithm.TokenBucket,
            var other => Fail(RateLimitAlgorithm.FixedWindow,
                $"{where}.algorithm is '{other}', which is not an algorithm; write fixed_window, sliding_window or token_bucket"),
        };
        var per = Word(limit, "per", where, problems) switch
        {
            null or "client" => RateLimitScope.Client,
            "route" => RateLimitScope.Route,
            "key" => RateLimitScope.Key,
            var other => Fail(RateLimitScope.Client,
                $"{where}.per is '{other}', which is not a choice; write route (one limit for everyone), client (one per client address) or key (one per API key)"),
        };
        int? permits = Whole(limit, "limit", where, 1, MaxLimit, "limit: 100", problems);
        if (permits is null && !limit.ContainsKey("limit"))
        {
            problems.Add($"{where} has no limit; write how many requests a window lets through, e.g. 'limit: 100'");
        }
        var window = Duration(limit, "window", where, problems) ?? TimeSpan.FromSeconds(1);
        if (window < ShortestPeriod || window > TimeSpan.FromDays(1))
        {
            problems.Add($"{where}.window is '{GoDuration.Format(window)}'; write a window from 100ms to 24h, e.g. 'window: 1s'");
        }
        var segments = Whole(limit, "segments", where, 1, MaxSegments, "segments: 4", problems);
        if (segments is not null && algorithm != RateLimitAlgorithm.SlidingWindow)
        {
            problems.Add($"{where}.segments applies to sliding_window only; remove it, or write 'algorithm: sliding_window'");
        }
        else if (segments is { } n && window / n < ShortestPeriod)
        {
            problems.Add($"{where}.segments is {n}, which makes segments shorter than 100ms; use fewer segments or a longer window");
        }
        var tokens = Whole(limit, "tokens_per_period", where, 1, MaxLimit, "tokens_per_period: 10", problems);
        if (tokens is not null && algorithm != RateLimitAlgorithm.TokenBucket)
        {
            problems.Add($"{where}.tokens_per_period applies to token_bucket only; remove it, or write 'algorithm: token_bucket'");
        }
        var queue = Whole(limit, "queue", where, 0, MaxQueue, "queue: 10", problems);
        if (problems.Count > before)
        {
            return null;
        }
        return new RateLimitPolicy(algorithm, permits!.Value, window, per)
        {
            Segments = segments ?? (algorithm == RateLimitAlgorithm.SlidingWindow ? DefaultSegments(window) : 1),
            TokensPerPeriod = tokens ?? (algorithm == RateLimitAlgorithm.TokenBucket ? permits.Value : 0),
            Queue = queue ?? 0,
        };

        T Fail<T>(T fallback, string problem)
        {
            problems.Add(problem);
            return fallback;
        }
    }

    // As many segments as fit (up to 10) while each stays at least the replenishing step long.
    private static int DefaultSegments(TimeSpan window) => (int)Math.Clamp(window / ShortestPeriod, 1, 10);

    private static string? Word(JsonObject limit, string key, string where, ICollection<string> problems)
    {
        if (limit[key] is not { } node)
        {
            return null;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return v.GetValue<string>();
        }
        problems.Add($"{where}.{key} is {Show(node)}, which is not a word; see the choices in the README's Traffic control section");
        return null;
    }

    private static int? Whole(JsonObject limit, string key, string where, int min, int max, string example, ICollection<string> problems)
    {
        if (limit[key] is not { } node)
        {
            return null;
        }
        if (node is JsonValue v && (v.GetValueKind() == JsonValueKind.Number ? v.ToJsonString() : v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null) is { } text
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return (int)n;
        }
        problems.Add($"{where}.{key} is {Show(node)}, which is not a whole number from {min} to {max}; write e.g. '{example}'");
        return null;
    }

    private static TimeSpan? Duration(JsonObject limit, string key, string where, ICollection<string> problems)
    {
        if (limit[key] is not { } node)
        {
            return null;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && GoDuration.TryParse(v.GetValue<string>(), out var d))
        {
            return d;
        }
        problems.Add($"{where}.{key} is {Show(node)}, which is not a duration; write e.g. '1s', '500ms' or '1m'");
        return null;
    }

    private static string Show(JsonNode? node) => node switch
    {
        null => "empty",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => $"'{v.GetValue<string>()}'",
        _ => $"'{node.ToJsonString()}'",
    };
}
