using Autonomy.Server.Governance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

/// <summary>
/// One check for every call: the bearer token is looked up by its hash (401 when there is none, it
/// is unknown, expired or revoked), then the permission the route declares (see
/// <see cref="RequiredPermission"/>) is looked up in the token's role (403 naming the missing
/// permission). Refusals are written to the audit log before they are answered; a write that is let
/// through is written there when it succeeds, before its answer is sent.
/// <c>Authorization: Basic</c> works too, so that a URL with user:password in it (MESSAGE_QUEUE_HTTP_URL)
/// can be used as it is: the password is either a token (the user name is then ignored) or a broker
/// user's password, and such a caller holds the messaging permissions of its vhosts and nothing else.
/// A request with no Authorization header may instead carry the dashboard's session cookie: it stands for the token
/// signed in with, and a write through it must also carry the session's CSRF value (403 otherwise).
/// </summary>
internal static class TokenAuthorization
{
    private const string CallerItem = "autonomy.caller";

    public static void Use(WebApplication app, TokenRegistry tokens, AuditLog audit, Messaging.Access.BrokerUsers? brokerUsers = null,
        Dashboard.DashboardSessions? sessions = null)
    {
        app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint?.Metadata.GetMetadata<NoTokenRequired>() is not null)
            {
                await next(context);
                return;
            }
            // Only routes count: a path with no route, or a method the path does not take, is answered 404 or 405.
            var required = endpoint is RouteEndpoint ? endpoint.Metadata.GetMetadata<RequiredPermission>() ?? RequiredPermission.Undeclared : null;
            var scope = required?.ScopeOf(context);
            // Named only for the audit log and refusals: a read that passes allocates nothing for it.
            string Permission() => required?.Describe(scope) ?? "none";
            var now = tokens.Now;

            var header = context.Request.Headers.Authorization.ToString().AsSpan();
            var bearer = header.StartsWith("Bearer ", StringComparison.Ordinal);
            var basic = !bearer && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);
            var session = header.IsEmpty ? sessions?.Of(context) : null;
            var token = bearer ? tokens.Find(header["Bearer ".Length..].Trim()) : basic ? FromBasic(header["Basic ".Length..].Trim()) : session?.Token;
            var refusal = token switch
            {
                null when header.IsEmpty && sessions is not null && Dashboard.DashboardSessions.HasCookie(context) =>
                    "the dashboard session has ended (signed out, unused for too long, or the server restarted): sign in again",
                null when basic => "the user name or password is wrong: with Basic, the password is a token, or a broker user's password (MESSAGE_QUEUE_HTTP_URL holds the service's own)",
                null when !bearer => "send 'Authorization: Bearer <token>'; the admin token is in the project's state folder (admin-token)",
                null => "the token is not known: it is mistyped, was revoked, or belonged to a replica that has stopped",
                { Revoked: { } revoked } => $"token {token.Id} was revoked at {revoked:u}",
                { Expires: { } expires } when expires <= now => $"token {token.Id} expired at {expires:u}; make a new one with 'autonomy tokens create'",
                _ => null,
            };
            if (refusal is not null)
            {
                await audit.RecordAsync(new AuditRecord(token?.Actor ?? "anonymous", Action(context), Permission(), "401"));
                if (context.Request.Path.StartsWithSegments("/v1/mq", StringComparison.Ordinal))
                {
                    // Clients that send a URL's credentials only when asked (Python's urllib) are asked.
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"autonomy\", charset=\"UTF-8\"";
                }
                await Problems.Of(401, "unauthorized", "A valid token is required", refusal).ExecuteAsync(context);
                return;
            }
            token!.MarkUsed(now.ToUnixTimeMilliseconds());
            if (required is not null && !token.Permissions.Allows(required.Kind, scope))
            {
                await audit.RecordAsync(new AuditRecord(token.Actor, Action(context), Permission(), "403"));
                await Problems.Forbidden(Permission(), token.Role).ExecuteAsync(context);
                return;
            }
            if (session is not null && !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) && !session.CsrfMatches(context))
            {
                await audit.RecordAsync(new AuditRecord(token.Actor, Action(context), Permission(), "403"));
                await Problems.Of(403, "csrf", "The CSRF token is missing or wrong",
                    $"a change made with the dashboard's session must send the session's CSRF token in the {Dashboard.DashboardSessions.CsrfHeader} header").ExecuteAsync(context);
                return;
            }
            context.Items[CallerItem] = token;
            if (!(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) && endpoint?.Metadata.GetMetadata<NotAudited>() is null)
            {
                RequestAudit.Begin(context, new AuditRecord(token.Actor, Action(context), Permission(), AuditRecord.Ok));
                context.Response.OnStarting(WriteIfSucceeded, context);
            }
            await next(context);
        });

        // user:password, base64: a token as the password stands for itself; otherwise the pair must be a broker user's.
        AccessToken? FromBasic(ReadOnlySpan<char> encoded)
        {
            Span<byte> bytes = stackalloc byte[Math.Min(encoded.Length, 1024)];
            if (encoded.Length > bytes.Length || !Convert.TryFromBase64Chars(encoded, bytes, out var length))
            {
                return null;
            }
            var text = System.Text.Encoding.UTF8.GetString(bytes[..length]);
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return null;
            }
            var password = text[(colon + 1)..];
            if (tokens.Find(password) is { } token)
            {
                return token;
            }
            return brokerUsers?.Authenticate(text[..colon], password) is { } user ? brokerUsers.CallerFor(user) : null;
        }

        // Before the answer is sent: a write is acknowledged only once its audit entry is on disk.
        async Task WriteIfSucceeded(object state)
        {
            var context = (HttpContext)state;
            if (context.Response.StatusCode < 400 && RequestAudit.Of(context) is { Claimed: false } pending)
            {
                await audit.RecordAsync(pending.Record);
            }
        }
    }

    /// <summary>The token of this request (set for every request that passed).</summary>
    public static AccessToken CallerOf(HttpContext context) =>
        context.Items[CallerItem] as AccessToken ?? throw new InvalidOperationException("no caller on an authorized request");

    private static string Action(HttpContext context) => $"{context.Request.Method} {context.Request.Path}";
}
