using System.Globalization;

namespace Autonomy.Server.Runtime.Processes;

/// <summary>
/// Signal numbers of Linux on x86_64 and arm64, and the names a compose file may use for them
/// (<c>stop_signal: SIGINT</c>, <c>INT</c> or <c>2</c>).
/// </summary>
internal static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGPIPE = 13;
    public const int SIGTERM = 15;

    // glibc keeps 32 and 33 for itself, so its SIGRTMIN (what users mean by RTMIN) is 34.
    private const int RtMin = 34;
    private const int RtMax = 64;

    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
        "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    private static readonly Dictionary<string, int> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["IOT"] = 6,
        ["POLL"] = 29,
        ["RTMIN"] = RtMin,
        ["RTMAX"] = RtMax,
    };

    /// <summary>Accepts <c>SIGTERM</c>, <c>TERM</c> or <c>15</c> (any case), and <c>RTMIN+n</c> / <c>RTMAX-n</c>.</summary>
    /// <exception cref="ArgumentException">The text is none of those, or the number is outside 1..64.</exception>
    public static int Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = name.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is >= 1 and <= RtMax ? number : throw Invalid(name);
        }
        if (text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase))
        {
            text = text[3..];
        }
        var index = Array.FindIndex(Names, n => n.Length > 0 && n.Equals(text, StringComparison.OrdinalIgnoreCase));
        if (index > 0)
        {
            return index;
        }
        if (Aliases.TryGetValue(text, out var alias))
        {
            return alias;
        }
        return ParseRealtime(text) ?? throw Invalid(name);
    }

    /// <summary>"SIGTERM" for 15, "SIGRTMIN+2" for 36, the number itself when it has no name.</summary>
    public static string Name(int signal) => signal switch
    {
        > 0 and < 32 => "SIG" + Names[signal],
        RtMin => "SIGRTMIN",
        > RtMin and <= RtMax => "SIGRTMIN+" + (signal - RtMin).ToString(CultureInfo.InvariantCulture),
        _ => signal.ToString(CultureInfo.InvariantCulture),
    };

    private static int? ParseRealtime(string text)
    {
        var plus = text.StartsWith("RTMIN+", StringComparison.OrdinalIgnoreCase);
        var minus = text.StartsWith("RTMAX-", StringComparison.OrdinalIgnoreCase);
        if (!(plus || minus) || !int.TryParse(text.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return null;
        }
        var signal = plus ? RtMin + offset : RtMax - offset;
        return signal is >= RtMin and <= RtMax ? signal : null;
    }

    private static ArgumentException Invalid(string name) => new(
        $"'{name}' is not a signal: use a name such as SIGTERM or TERM (any case), RTMIN+n or RTMAX-n, or a number from 1 to {RtMax}.",
        nameof(name));
}
