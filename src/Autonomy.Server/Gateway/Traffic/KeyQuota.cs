using System.Globalization;

namespace Autonomy.Server.Gateway.Traffic;

/// <summary>
/// How many requests an API key may make per UTC day or month (<c>--quota 1000/day</c>). Each period
/// has a name (<c>2026-11-25</c>, <c>2026-11</c>) under which its use is stored, and which sorts in time order.
/// </summary>
public sealed record KeyQuota(long Limit, QuotaPeriod Period)
{
    public const long MaxLimit = 1_000_000_000_000;

    /// <summary>
    /// How far ahead of the requests let through the store's count is moved, in one write: about 1% of
    /// the quota (1 to 100). A crash loses at most this many requests of the period, and never lets more through.
    /// </summary>
    public long Block => Math.Clamp(Limit / 100, 1, 100);

    public string PeriodOf(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return Period == QuotaPeriod.Day
            ? utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM", CultureInfo.InvariantCulture);
    }

    /// <summary>When the period that holds <paramref name="time"/> ends and the quota starts again.</summary>
    public DateTimeOffset ResetAfter(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return Period == QuotaPeriod.Day
            ? new DateTimeOffset(utc.Date.AddDays(1), TimeSpan.Zero)
            : new DateTimeOffset(new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1), TimeSpan.Zero);
    }

    public override string ToString() => $"{Limit.ToString(CultureInfo.InvariantCulture)}/{(Period == QuotaPeriod.Day ? "day" : "month")}";

    /// <summary>Reads <c>N/day</c> or <c>N/month</c>; on failure <paramref name="problem"/> says how to write it.</summary>
    public static bool TryParse(string text, out KeyQuota? quota, out string? problem)
    {
        quota = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var period = slash < 0 ? null : text[(slash + 1)..].Trim() switch
        {
            "day" or "d" => QuotaPeriod.Day,
            "month" or "mo" => (QuotaPeriod?)QuotaPeriod.Month,
            _ => null,
        };
        if (slash < 0 || period is null
            || !long.TryParse(text.AsSpan(0, slash).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxLimit)
        {
            problem = $"quota is '{text}'; write a number of requests from 1 to {MaxLimit} per day or month, e.g. '1000/day' or '50000/month'";
            return false;
        }
        quota = new KeyQuota(limit, period.Value);
        problem = null;
        return true;
    }
}
