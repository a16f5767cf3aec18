using System.Globalization;

namespace Autonomy.Server.Registry;

/// <summary>Durations as the API takes them (<c>10s</c>, <c>1m30s</c>, <c>500ms</c>), for answers and messages.</summary>
internal static class Durations
{
    public static string Text(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return $"{(long)value.TotalMilliseconds}ms";
        }
        var text = "";
        if (value.Hours + (value.Days * 24) is var hours and > 0)
        {
            text += $"{hours}h";
        }
        if (value.Minutes > 0)
        {
            text += $"{value.Minutes}m";
        }
        if (value.Seconds > 0 || value.Milliseconds > 0 || text.Length == 0)
        {
            text += value.Milliseconds > 0
                ? (value.Seconds + (value.Milliseconds / 1000.0)).ToString("0.###", CultureInfo.InvariantCulture) + "s"
                : $"{value.Seconds}s";
        }
        return text;
    }
}
