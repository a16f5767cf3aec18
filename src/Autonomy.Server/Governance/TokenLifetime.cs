using System.Globalization;
using Autonomy.Server.Compose.Loading;

namespace Autonomy.Server.Governance;

/// <summary>How long a made token lives: <c>30m</c>, <c>12h</c>, <c>7d</c>, <c>1h30m</c>, or <c>never</c>.</summary>
public static class TokenLifetime
{
    /// <summary>What <c>tokens create</c> gives a token without <c>--ttl</c>: long enough for real use, short enough that a forgotten one dies.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromDays(30);

    private static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    /// <summary>Reads a lifetime (null: the token never expires); false, with what is wrong, when it is not one.</summary>
    public static bool TryParse(string text, out TimeSpan? lifetime, out string? problem)
    {
        lifetime = null;
        problem = null;
        if (text == "never")
        {
            return true;
        }
        TimeSpan value;
        if (text.EndsWith('d') && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var days))
        {
            value = days <= Longest.Days ? TimeSpan.FromDays(days) : TimeSpan.MaxValue;
        }
        else if (!GoDuration.TryParse(text, out value))
        {
            problem = $"ttl is '{text}'; give a duration such as 30m, 12h or 7d, or 'never'";
            return false;
        }
        if (value < TimeSpan.FromMinutes(1) || value > Longest)
        {
            problem = $"ttl is '{text}'; a token lives at least 1m and at most 3650d (or 'never')";
            return false;
        }
        lifetime = value;
        return true;
    }
}
