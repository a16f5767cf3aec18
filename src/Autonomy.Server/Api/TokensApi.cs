using System.Text.Json;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Governance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// Tokens under <c>/v1/tokens</c>: make one for a role (the token is in that answer only; the
/// server keeps its hash), list them (never the tokens), revoke one.
/// </summary>
internal static class TokensApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const int MaxNameLength = 100;

    public static void Map(WebApplication app, TokenRegistry tokens, AuditLog audit, Func<ComposeProject> project)
    {
        app.MapPost("/v1/tokens", async (CreateRequest request, HttpContext context, CancellationToken ct) =>
        {
            if (request.Role is not { Length: > 0 } role)
            {
                return Problems.Of(400, "invalid-role", "Invalid role", "give a role: admin, read-only, service:NAME or external:NAME");
            }
            if (Roles.Resolve(role, project(), out var problem) is not { } permissions)
            {
                return Problems.Of(400, "invalid-role", "Invalid role", problem!);
            }
            var lifetime = TokenLifetime.Default as TimeSpan?;
            if (request.Ttl is { } ttl && !TokenLifetime.TryParse(ttl, out lifetime, out var badTtl))
            {
                return Problems.Of(400, "invalid-ttl", "Invalid ttl", badTtl!);
            }
            if (request.Name is { } name && (name.Length > MaxNameLength || name.Any(char.IsControl)))
            {
                return Problems.Of(400, "invalid-name", "Invalid name", $"a token's name is at most {MaxNameLength} characters, without control characters");
            }
            // No token hands out more than it holds: a read-only token with tokens:manage cannot mint an admin.
            var caller = TokenAuthorization.CallerOf(context);
            if (caller.Permissions.FirstMissingOf(permissions) is { } missing)
            {
                if (RequestAudit.Claim(context) is { } refused)
                {
                    await audit.RecordAsync(refused with { Target = $"role {role}", Outcome = "403" }, ct);
                }
                return Problems.Forbidden(missing, caller.Role);
            }
            var (token, secret) = await tokens.CreateAsync(role, permissions, lifetime, request.Name,
                id => RequestAudit.Claim(context, $"{id} (role {role})") ?? new AuditRecord(caller.Actor, "create token", id, AuditRecord.Ok), ct);
            return Results.Json(new CreatedView(token.Id, secret, token.Role, token.Name, token.Created, token.Expires), Json, statusCode: 201);
        }).Requires("tokens:manage");

        app.MapGet("/v1/tokens", () => Results.Json(tokens.All().Select(t => TokenView.From(t, tokens.Now)), Json)).Requires("tokens:read");

        app.MapDelete("/v1/tokens/{id}", async (string id, HttpContext context, CancellationToken ct) =>
        {
            switch (tokens.ById(id))
            {
                case null:
                    return Problems.Of(404, "unknown-token", "No such token", $"there is no token '{id}'; 'autonomy tokens list' shows them");
                case { Kind: TokenKind.File }:
                    return Problems.Of(409, "token-not-revocable", "This token cannot be revoked",
                        "the admin token is the state folder's admin-token file: to replace it, stop the project ('autonomy down'), delete the file and start the project again");
                case { Kind: TokenKind.Replica } replica:
                    return Problems.Of(409, "token-not-revocable", "This token cannot be revoked",
                        $"'{id}' is the replica's own token and lives as long as the replica; 'autonomy restart {replica.Service}' gives each replica a new one");
                case var token:
                    await tokens.RevokeAsync(token, RequestAudit.Claim(context, id), ct);
                    return Results.Json(TokenView.From(token, tokens.Now), Json);
            }
        }).Requires("tokens:manage");
    }

    internal sealed record CreateRequest(string? Role, string? Ttl, string? Name);

    internal sealed record CreatedView(string Id, string Token, string Role, string? Name, DateTimeOffset Created, DateTimeOffset? Expires);

    internal sealed record TokenView(string Id, string Kind, string Role, string? Name, DateTimeOffset? Created, DateTimeOffset? Expires,
        DateTimeOffset? LastUsed, DateTimeOffset? Revoked, string Status)
    {
        public static TokenView From(AccessToken t, DateTimeOffset now) => new(t.Id, t.Kind.ToString().ToLowerInvariant(), t.Role, t.Name,
            t.Created == default ? null : t.Created, t.Expires, t.LastUsed, t.Revoked,
            t.Revoked is not null ? "revoked" : t.Expires <= now ? "expired" : "active");
    }
}
