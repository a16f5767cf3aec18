using System.Text.Json;
using System.Text.RegularExpressions;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Gateway.Traffic;
using Autonomy.Server.Governance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// API keys under <c>/v1/keys</c>, for the admin only: make one for routes with an optional quota (the
/// key is in that answer only; the server keeps its hash), list them with their use, revoke one.
/// A key is a credential like a token, so every call needs what making tokens needs (only the admin role holds it).
/// </summary>
internal static partial class KeysApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Permission = "tokens:manage";
    private const int MaxNameLength = 100;
    private const int MaxRoutes = 100;

    public static void Map(WebApplication app, ApiKeyRegistry keys, Func<ComposeProject> project)
    {
        app.MapPost("/v1/keys", async (CreateRequest request, HttpContext context, CancellationToken ct) =>
        {
            if (request.Routes is not { Length: > 0 and <= MaxRoutes } routes)
            {
                return Problems.Of(400, "invalid-routes", "Invalid routes",
                    $"give 1 to {MaxRoutes} routes the key opens: a route id as the gateway names it (orders/0), or a service (orders) for all its routes");
            }
            foreach (var route in routes)
            {
                if (RouteProblem(route, project()) is { } problem)
                {
                    return Problems.Of(400, "invalid-routes", "Invalid routes", problem);
                }
            }
            KeyQuota? quota = null;
            if (request.Quota is { } text && !KeyQuota.TryParse(text, out quota, out var badQuota))
            {
                return Problems.Of(400, "invalid-quota", "Invalid quota", badQuota!);
            }
            if (request.Name is { } name && (name.Length > MaxNameLength || name.Any(char.IsControl)))
            {
                return Problems.Of(400, "invalid-name", "Invalid name", $"a key's name is at most {MaxNameLength} characters, without control characters");
            }
            var caller = TokenAuthorization.CallerOf(context);
            var (key, secret) = await keys.CreateAsync(request.Name, [.. routes.Distinct(StringComparer.Ordinal)], quota,
                id => RequestAudit.Claim(context, id) ?? new AuditRecord(caller.Actor, "create API key", id, AuditRecord.Ok), ct);
            return Results.Json(new CreatedView(key.Id, secret, key.Name, key.Routes, quota?.ToString(), key.Created), Json, statusCode: 201);
        }).Requires(Permission);

        app.MapGet("/v1/keys", () => Results.Json(keys.All().Select(k => KeyView.From(k, keys.Now)), Json)).Requires(Permission);

        app.MapDelete("/v1/keys/{id}", async (string id, HttpContext context, CancellationToken ct) =>
        {
            if (keys.ById(id) is not { } key)
            {
                return Problems.Of(404, "unknown-api-key", "No such API key", $"there is no API key '{id}'; 'autonomy keys list' shows them");
            }
            await keys.RevokeAsync(key, RequestAudit.Claim(context, id), ct);
            return Results.Json(KeyView.From(key, keys.Now), Json);
        }).Requires(Permission);
    }

    private static string? RouteProblem(string route, ComposeProject project)
    {
        var match = RouteId().Match(route);
        if (!match.Success)
        {
            return $"'{route}' is not a route: write a route id as <service>/<index> (orders/0, the first of x-autonomy.routes), or a service name for all its routes";
        }
        var service = match.Groups[1].Value;
        return project.FindService(service) is null
            ? $"'{route}': there is no service '{service}' in this project; the services are {string.Join(", ", project.Services.Select(s => s.Name))}"
            : null;
    }

    [GeneratedRegex(@"^([a-zA-Z0-9][a-zA-Z0-9_.-]*)(/(0|[1-9][0-9]{0,3}))?$")]
    private static partial Regex RouteId();

    internal sealed record CreateRequest(string? Name, string[]? Routes, string? Quota);

    internal sealed record CreatedView(string Id, string Key, string? Name, IReadOnlyList<string> Routes, string? Quota, DateTimeOffset Created);

    internal sealed record KeyView(string Id, string? Name, IReadOnlyList<string> Routes, string? Quota, long? Used, string? Period, DateTimeOffset? Resets,
        DateTimeOffset Created, DateTimeOffset? Revoked, string Status)
    {
        public static KeyView From(ApiKey k, DateTimeOffset now)
        {
            var use = k.Quota?.Use(now);
            return new(k.Id, k.Name, k.Routes, k.Quota?.Quota.ToString(), use?.Used, use?.Period, k.Quota?.Quota.ResetAfter(now), k.Created, k.Revoked,
                k.Revoked is null ? "active" : "revoked");
        }
    }
}
