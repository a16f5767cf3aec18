using System.Text.Json;
using Autonomy.Server.Api;
using Autonomy.Server.Governance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Dashboard;

/// <summary>
/// The browser dashboard on the API's own listener: its page at <c>/</c>, its files under <c>/ui/</c>, and sign-in and
/// sign-out at <c>/ui/session</c>. The page then calls the <c>/v1</c> API with the session cookie like any client.
/// </summary>
internal static class DashboardApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app, DashboardSessions sessions, TokenRegistry tokens, AuditLog audit)
    {
        app.MapGet("/", (HttpContext context) => DashboardFiles.Serve(context, "index.html")).RequiresNoToken();
        app.MapGet("/ui/{*file}", (HttpContext context, string? file) => DashboardFiles.Serve(context, file ?? "index.html")).RequiresNoToken();

        app.MapPost("/ui/session", async (HttpContext context, SignIn? request) =>
        {
            // A browser names the page a sign-in comes from: another site may not sign this browser in (to a session of its choosing).
            if (context.Request.Headers.Origin.ToString() is { Length: > 0 } origin && origin != $"{context.Request.Scheme}://{context.Request.Host}")
            {
                return Problems.Of(403, "cross-origin", "Sign-in from another site", $"a sign-in must come from the dashboard's own page, not from {origin}");
            }
            var token = string.IsNullOrWhiteSpace(request?.Token) ? null : tokens.Find(request.Token.Trim());
            var refusal = token switch
            {
                null when string.IsNullOrWhiteSpace(request?.Token) => "give a token: the admin token is in the project's state folder (admin-token); 'autonomy tokens create --role read-only' makes a read-only one",
                null => "the token is not known: it is mistyped or was revoked",
                { Kind: TokenKind.Replica or TokenKind.BrokerUser } => "a replica's own token cannot sign in to the dashboard: use the admin token or a read-only one",
                { Revoked: { } revoked } => $"token {token.Id} was revoked at {revoked:u}",
                { Expires: { } expires } when expires <= tokens.Now => $"token {token.Id} expired at {expires:u}",
                _ when !token.Permissions.Allows("services:read", null) => $"token {token.Id} has the role {token.Role}, which may not see the services: use the admin token or a read-only one",
                _ => null,
            };
            await audit.RecordAsync(new AuditRecord(token?.Actor ?? "anonymous", "POST /ui/session", "dashboard:sign-in", refusal is null ? AuditRecord.Ok : "401"));
            if (refusal is not null)
            {
                return Problems.Of(401, "unauthorized", "The token cannot sign in", refusal);
            }
            var session = sessions.Create(token!);
            context.Response.Cookies.Append(DashboardSessions.CookieName(context), session.Id, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                IsEssential = true,
            });
            return Results.Json(SessionView.Of(session), Json);
        }).RequiresNoToken();

        app.MapGet("/ui/session", (HttpContext context) => Current(context) is { } session
            ? Results.Json(SessionView.Of(session), Json)
            : Problems.Of(401, "unauthorized", "Not signed in", "sign in with a token first")).RequiresNoToken();

        app.MapDelete("/ui/session", (HttpContext context) =>
        {
            if (sessions.Of(context) is { } session)
            {
                if (!session.CsrfMatches(context))
                {
                    return Problems.Of(403, "csrf", "The CSRF token is missing or wrong", $"send the session's CSRF token in the {DashboardSessions.CsrfHeader} header");
                }
                sessions.End(session);
            }
            context.Response.Cookies.Delete(DashboardSessions.CookieName(context), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            return Results.NoContent();
        }).RequiresNoToken();

        // A session whose token was revoked or expired since it signed in is no sign-in at all.
        DashboardSession? Current(HttpContext context) =>
            sessions.Of(context) is { } session && session.Token.Revoked is null && !(session.Token.Expires <= tokens.Now) ? session : null;
    }

    internal sealed record SignIn(string? Token);

    /// <summary>What the page learns at sign-in: who it is, whether it may act (a read-only token sees no action), and the CSRF value for its writes.</summary>
    internal sealed record SessionView(string Actor, string Role, bool CanAct, string Csrf)
    {
        public static SessionView Of(DashboardSession session) =>
            new(session.Token.Actor, session.Token.Role, session.Token.Permissions.Allows("services:write", null), session.Csrf);
    }
}
