using System.Collections.Concurrent;
using System.Security.Cryptography;
using Autonomy.Server.Governance;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Dashboard;

/// <summary>
/// The dashboard's sign-ins, in memory: a browser that gave a token gets a random session id in an HttpOnly,
/// SameSite=Strict cookie (the token itself never reaches the page's storage), and a CSRF value of its own that
/// the page must send back in <see cref="CsrfHeader"/> with every write. A session stands for its token: when the
/// token is revoked or expires, the session stops working with it. Sessions end after <see cref="Idle"/> unused, at
/// sign-out, and when the server stops.
/// </summary>
internal sealed class DashboardSessions(TimeProvider? time = null)
{
    public const string CsrfHeader = "X-CSRF-Token";

    public static readonly TimeSpan Idle = TimeSpan.FromHours(12);

    // Enough for every browser an operator uses; past it the least recently used session ends first.
    private const int Most = 256;

    private readonly ConcurrentDictionary<string, DashboardSession> _byId = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// The cookie's name carries the listener's port: cookies are not kept apart by port, and two projects' servers on one
    /// machine must not sign each other's browsers out.
    /// </summary>
    public static string CookieName(HttpContext context) => $"autonomy_session_{context.Connection.LocalPort}";

    public DashboardSession Create(AccessToken token)
    {
        var now = _time.GetUtcNow();
        foreach (var stale in _byId.Values.Where(s => s.LastUsed + Idle <= now).ToList())
        {
            _byId.TryRemove(stale.Id, out _);
        }
        if (_byId.Count >= Most && _byId.Values.MinBy(s => s.LastUsed) is { } oldest)
        {
            _byId.TryRemove(oldest.Id, out _);
        }
        var session = new DashboardSession(RandomText(), RandomText(), token) { LastUsed = now };
        _byId[session.Id] = session;
        return session;
    }

    /// <summary>The session the request's cookie names, or null (no cookie, an unknown one, or one unused for too long).</summary>
    public DashboardSession? Of(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName(context), out var id) || id is null || !_byId.TryGetValue(id, out var session))
        {
            return null;
        }
        var now = _time.GetUtcNow();
        if (session.LastUsed + Idle <= now)
        {
            _byId.TryRemove(id, out _);
            return null;
        }
        session.LastUsed = now;
        return session;
    }

    /// <summary>True when the request names a session cookie at all (known or not), to tell a lapsed sign-in from no sign-in.</summary>
    public static bool HasCookie(HttpContext context) => context.Request.Cookies.ContainsKey(CookieName(context));

    public void End(DashboardSession session) => _byId.TryRemove(session.Id, out _);

    private static string RandomText() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed record DashboardSession(string Id, string Csrf, AccessToken Token)
{
    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Whether the request carries this session's CSRF value (compared in constant time).</summary>
    public bool CsrfMatches(HttpContext context)
    {
        var sent = context.Request.Headers[DashboardSessions.CsrfHeader].ToString();
        return sent.Length > 0 && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(sent), System.Text.Encoding.UTF8.GetBytes(Csrf));
    }
}
