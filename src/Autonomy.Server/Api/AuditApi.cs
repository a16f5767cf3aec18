using System.Globalization;
using System.Text.Json;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Governance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// The audit log under <c>/v1/audit</c>: its entries (<c>?since=</c> a time in RFC 3339 or a
/// duration back from now such as <c>1h</c> or <c>7d</c>; the newest <c>?limit=</c>), and with
/// <c>?verify=true</c> a walk of the whole chain that names the first entry where it breaks.
/// </summary>
internal static class AuditApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app, AuditLog audit, Func<DateTimeOffset> now)
    {
        app.MapGet("/v1/audit", (string? since, int? limit, bool? verify) =>
        {
            DateTimeOffset? from = null;
            if (since is not null)
            {
                if (Since(since, now()) is not { } parsed)
                {
                    return Problems.Of(400, "invalid-since", "Invalid since",
                        $"since is '{since}'; give a time in RFC 3339 (2025-01-31T08:00:00Z) or a duration back from now (30m, 1h, 7d)");
                }
                from = parsed;
            }
            if (limit is < 1 or > 100_000)
            {
                return Problems.Of(400, "invalid-limit", "Invalid limit", "limit must be a whole number from 1 to 100000");
            }
            var verification = verify == true ? audit.Verify() : null;
            var entries = audit.Read(from, limit ?? 1000);
            return Results.Json(new { entries, verification }, Json);
        }).Requires("audit:read");
    }

    /// <summary>A point in time written in RFC 3339, or a duration (Go's, or whole days) before <paramref name="now"/>.</summary>
    internal static DateTimeOffset? Since(string text, DateTimeOffset now)
    {
        if (text.EndsWith('d') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= 36500)
        {
            return now - TimeSpan.FromDays(days);
        }
        if (GoDuration.TryParse(text, out var back))
        {
            return now - back;
        }
        // A date first (2025-01-31T08:00:00Z, or with a space for the T), so that nothing else passes for one.
        var date = text.Length >= 10 && char.IsAsciiDigit(text[0]) && text[4] == '-' && text[7] == '-';
        return date && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }
}
