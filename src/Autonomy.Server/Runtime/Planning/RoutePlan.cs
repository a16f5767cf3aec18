using System.Text.Json.Nodes;

namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// One entry of a service's <c>x-autonomy.routes</c>, served on the gateway's listener. <see cref="Id"/> is
/// <c>service/index</c>, the name keys, limits, access logs and the CLI use for it.
/// </summary>
public sealed record RoutePlan
{
    public required string Id { get; init; }

    public required string Service { get; init; }

    /// <summary>The path prefix it matches, segment-aware ("/orders" matches /orders and /orders/1, not /ordersx).</summary>
    public string Path { get; init; } = "/";

    /// <summary>The host it matches (<c>*.example.test</c> wildcards), or null for any.</summary>
    public string? Host { get; init; }

    public bool StripPrefix { get; init; }

    /// <summary>What replaces the matched prefix, or null to keep it.</summary>
    public string? Rewrite { get; init; }

    /// <summary>The request timeout (answered 504); null: the gateway's default of 100 s.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Its rate limit and API key rule (<c>rate_limit</c>, <c>api_key</c>), checked at plan time like the rest.</summary>
    public Gateway.Traffic.RouteTraffic Admission { get; init; } = Gateway.Traffic.RouteTraffic.Unrestricted;

    /// <summary>The route as written, with the keys traffic control reads (rate_limit, api_key).</summary>
    public JsonObject Settings { get; init; } = [];
}
