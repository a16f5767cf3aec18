using System.Collections.Frozen;
using System.Net;
using Autonomy.Server.Store;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Gateway.Traffic;

/// <summary>
/// The gateway's admission: for each request of a route, in this order, the API key (401 without one
/// where the route requires it, 403 for a revoked key or one the route does not accept), the route's
/// rate limit (429 with Retry-After), then the key's quota (429 with Retry-After until the next period).
/// A request let through reaches the service without the key, with the key's id in <see cref="KeyIdHeader"/>.
/// </summary>
public sealed class TrafficControl : IGatewayAdmission, IAsyncDisposable
{
    /// <summary>The id of the API key a request was let through with, for the service to see; a client's own value is removed.</summary>
    public const string KeyIdHeader = "X-Api-Key-Id";

    private const string KeyHeader = "X-Api-Key";
    private const string AuthorizationScheme = "ApiKey ";

    private readonly Lock _loading = new();
    private volatile FrozenDictionary<string, RouteState> _routes = FrozenDictionary<string, RouteState>.Empty;

    private TrafficControl(ApiKeyRegistry keys) => Keys = keys;

    /// <summary>The project's API keys.</summary>
    internal ApiKeyRegistry Keys { get; }

    /// <summary>Opens the keys and quota use kept in <paramref name="store"/>; <paramref name="time"/> decides the quota periods.</summary>
    public static async Task<TrafficControl> OpenAsync(SqliteConfigStore store, TimeProvider? time = null, CancellationToken ct = default) =>
        new(await ApiKeyRegistry.OpenAsync(store, time ?? TimeProvider.System, ct));

    /// <summary>
    /// Takes the routes as they are now (called on every load and reload of the routes). A route whose
    /// rate limit did not change keeps its limiter and with it what its clients have used; the limiters
    /// of routes gone or changed are disposed of.
    /// </summary>
    public void Load(IEnumerable<(string RouteId, RouteTraffic Policy)> routes)
    {
        lock (_loading)
        {
            var old = _routes;
            var next = new Dictionary<string, RouteState>(StringComparer.Ordinal);
            foreach (var (routeId, policy) in routes)
            {
                if (policy.IsUnrestricted)
                {
                    continue;
                }
                var limiter = policy.RateLimit is not { } limit ? null
                    : old.TryGetValue(routeId, out var kept) && kept.Limiter?.Policy == limit ? kept.Limiter
                    : new RouteLimiter(limit);
                next[routeId] = new RouteState(policy, limiter);
            }
            _routes = next.ToFrozenDictionary(StringComparer.Ordinal);
            var inUse = next.Values.Select(r => r.Limiter).OfType<RouteLimiter>().ToHashSet();
            foreach (var gone in old.Values.Select(r => r.Limiter).OfType<RouteLimiter>().Where(l => !inUse.Contains(l)))
            {
                _ = gone.DisposeAsync();
            }
        }
    }

    /// <summary>What <paramref name="routeId"/> is held to now (unrestricted when it has no traffic settings or is unknown).</summary>
    public RouteTraffic PolicyOf(string routeId) => _routes.TryGetValue(routeId, out var route) ? route.Policy : RouteTraffic.Unrestricted;

    public async ValueTask<bool> AdmitAsync(HttpContext context, string routeId)
    {
        var request = context.Request;
        request.Headers.Remove(KeyIdHeader);
        if (!_routes.TryGetValue(routeId, out var route))
        {
            return true;
        }
        ApiKey? key = null;
        if (route.Policy.ApiKey != ApiKeyMode.None)
        {
            var presented = TakePresentedKey(request);
            if (presented is null)
            {
                if (route.Policy.ApiKey == ApiKeyMode.Required)
                {
                    await TrafficProblems.MissingKeyAsync(context, routeId);
                    return false;
                }
            }
            else
            {
                key = Keys.Find(presented);
                if (key is null)
                {
                    await TrafficProblems.UnknownKeyAsync(context);
                    return false;
                }
                if (key.Revoked is { } revoked)
                {
                    await TrafficProblems.RevokedKeyAsync(context, key, revoked);
                    return false;
                }
                if (!key.Opens(routeId))
                {
                    await TrafficProblems.KeyNotForRouteAsync(context, key, routeId);
                    return false;
                }
            }
        }
        try
        {
            if (route.Limiter is { } limiter)
            {
                var (admitted, retryAfter) = await AcquireAsync(limiter, routeId, PartitionOf(limiter.Policy.Per, context, key), context.RequestAborted);
                if (!admitted)
                {
                    await TrafficProblems.RateLimitedAsync(context, routeId, limiter.Policy, retryAfter);
                    return false;
                }
            }
            if (key?.Quota is { } quota)
            {
                var now = Keys.Now;
                bool withinQuota;
                try
                {
                    withinQuota = await quota.TryTakeAsync(now, context.RequestAborted);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException)
                {
                    // Unrecorded use could be more than the quota after a restart: the request waits for a store that works.
                    await TrafficProblems.QuotaUnavailableAsync(context);
                    return false;
                }
                if (!withinQuota)
                {
                    await TrafficProblems.QuotaSpentAsync(context, key, quota.Quota, now);
                    return false;
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while its request waited in a queue: there is no one to answer.
            return false;
        }
        if (key is not null)
        {
            request.Headers[KeyIdHeader] = key.Id;
        }
        return true;
    }

    // A reload may dispose of the limiter a request picked up just before: it asks the route's current one.
    private async ValueTask<(bool, TimeSpan)> AcquireAsync(RouteLimiter limiter, string routeId, string partition, CancellationToken ct)
    {
        try
        {
            return await limiter.AcquireAsync(partition, ct);
        }
        catch (ObjectDisposedException)
        {
            return _routes.TryGetValue(routeId, out var current) && current.Limiter is { } now && now != limiter
                ? await now.AcquireAsync(partition, ct)
                : (true, TimeSpan.Zero);
        }
    }

    private static string PartitionOf(RateLimitScope per, HttpContext context, ApiKey? key) => per switch
    {
        RateLimitScope.Route => "",
        RateLimitScope.Key when key is not null => "key:" + key.Id,
        _ => "client:" + ClientAddress(context),
    };

    private static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => "",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        IPAddress address => address.ToString(),
    };

    /// <summary>The key of <c>X-Api-Key</c> or <c>Authorization: ApiKey …</c>, removed from the request so that the service never sees it.</summary>
    private static string? TakePresentedKey(HttpRequest request)
    {
        string? key = null;
        if (request.Headers.TryGetValue(KeyHeader, out var header))
        {
            key = header.ToString().Trim();
            request.Headers.Remove(KeyHeader);
        }
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(AuthorizationScheme, StringComparison.OrdinalIgnoreCase))
        {
            key ??= authorization[AuthorizationScheme.Length..].Trim();
            request.Headers.Remove("Authorization");
        }
        return string.IsNullOrEmpty(key) ? null : key;
    }

    public async ValueTask DisposeAsync()
    {
        FrozenDictionary<string, RouteState> routes;
        lock (_loading)
        {
            routes = _routes;
            _routes = FrozenDictionary<string, RouteState>.Empty;
        }
        foreach (var limiter in routes.Values.Select(r => r.Limiter).OfType<RouteLimiter>())
        {
            await limiter.DisposeAsync();
        }
    }

    private sealed record RouteState(RouteTraffic Policy, RouteLimiter? Limiter);
}
