using System.Globalization;
using Autonomy.Server.Compose.Loading;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Gateway.Traffic;

/// <summary>
/// The gateway's refusals as problem+json, each with a stable type (as the API's errors have) and a
/// detail that says what to do; a 429 carries <c>Retry-After</c> in whole seconds. Never the key itself.
/// </summary>
internal static class TrafficProblems
{
    public static Task MissingKeyAsync(HttpContext context, string routeId) => WriteAsync(context, 401, "api-key-required", "An API key is required",
        $"route {routeId} needs an API key: send it as 'X-Api-Key: <key>' or 'Authorization: ApiKey <key>'; 'autonomy keys create --route {routeId}' makes one");

    public static Task UnknownKeyAsync(HttpContext context) => WriteAsync(context, 401, "api-key-unknown", "The API key is not known",
        "the API key sent is not one of this project's: it is mistyped, or it was made for another project");

    public static Task RevokedKeyAsync(HttpContext context, ApiKey key, DateTimeOffset revoked) => WriteAsync(context, 403, "api-key-revoked", "The API key was revoked",
        $"API key {key.Id} was revoked at {revoked.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}");

    public static Task KeyNotForRouteAsync(HttpContext context, ApiKey key, string routeId) => WriteAsync(context, 403, "api-key-not-for-route",
        "The API key does not open this route", $"API key {key.Id} opens {string.Join(", ", key.Routes)}, not route {routeId}");

    public static Task RateLimitedAsync(HttpContext context, string routeId, RateLimitPolicy policy, TimeSpan retryAfter)
    {
        var seconds = RetryAfterSeconds(retryAfter);
        var whose = policy.Per switch
        {
            RateLimitScope.Route => "for all its clients together",
            RateLimitScope.Key => "per API key",
            _ => "per client",
        };
        return WriteAsync(context, 429, "rate-limited", "Too many requests",
            $"route {routeId} lets {policy.Limit} requests through every {GoDuration.Format(policy.Window)} {whose}; retry in {seconds}s",
            seconds, new Dictionary<string, object?> { ["route"] = routeId, ["limit"] = policy.Limit, ["window"] = GoDuration.Format(policy.Window) });
    }

    public static Task QuotaSpentAsync(HttpContext context, ApiKey key, KeyQuota quota, DateTimeOffset now)
    {
        var resets = quota.ResetAfter(now);
        return WriteAsync(context, 429, "quota-exceeded", "The API key's quota is used up",
            $"API key {key.Id} has a quota of {quota.Limit} requests a {(quota.Period == QuotaPeriod.Day ? "day" : "month")} (UTC), all used; it resets at {resets.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}",
            RetryAfterSeconds(resets - now), new Dictionary<string, object?> { ["quota"] = quota.ToString(), ["resets"] = resets });
    }

    public static Task QuotaUnavailableAsync(HttpContext context) => WriteAsync(context, 503, "quota-unavailable", "The quota could not be recorded",
        "the platform's store did not take the quota's use; retry shortly", 1);

    private static int RetryAfterSeconds(TimeSpan wait) => (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds));

    private static Task WriteAsync(HttpContext context, int status, string type, string title, string detail, int? retryAfter = null,
        Dictionary<string, object?>? extensions = null)
    {
        if (retryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        return Results.Problem(type: $"urn:autonomy:problem:{type}", title: title, detail: detail, statusCode: status, extensions: extensions).ExecuteAsync(context);
    }
}
