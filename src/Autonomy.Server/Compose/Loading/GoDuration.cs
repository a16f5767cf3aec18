using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// Durations as the spec writes them (<c>1m30s</c>, <c>500ms</c>, <c>10s</c>, <c>1h</c>), parsed
/// exactly and printed the way <c>docker compose config</c> prints them (<c>1m30s</c>, <c>1m0s</c>).
/// </summary>
internal static partial class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }
        if (text == "0")
        {
            return true;
        }
        var matches = Part().Matches(text);
        if (matches.Count == 0 || matches.Sum(m => m.Length) != text.Length)
        {
            return false;
        }
        double ticks = 0;
        foreach (Match m in matches)
        {
            var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += number * m.Groups[2].Value switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" => TimeSpan.TicksPerMicrosecond,
                _ => 0.01, // ns: a tick is 100 ns
            };
        }
        if (ticks >= TimeSpan.MaxValue.Ticks)
        {
            return false;
        }
        value = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }

    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }
        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Negate();
        }
        if (value < TimeSpan.FromSeconds(1))
        {
            return sb.Append(value.TotalMilliseconds >= 1
                ? value.TotalMilliseconds.ToString("0.######", CultureInfo.InvariantCulture) + "ms"
                : (value.Ticks / 10.0).ToString("0.#", CultureInfo.InvariantCulture) + "µs").ToString();
        }
        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }
        if (hours > 0 || value.Minutes > 0)
        {
            sb.Append(value.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }
        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        sb.Append(seconds.ToString("0.#########", CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }

    [GeneratedRegex(@"([0-9]*\.?[0-9]+)(h|ms|m|s|us|µs|ns)")]
    private static partial Regex Part();
}
