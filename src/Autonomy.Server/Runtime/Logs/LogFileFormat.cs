using System.Globalization;
using System.Text;

namespace Autonomy.Server.Runtime.Logs;

/// <summary>
/// How a line is kept on disk: <c>2026-11-24T12:00:00.123Z stdout text</c>, one per line, so that the files read well
/// with <c>tail</c> and <c>grep</c> and can be turned back into <see cref="LogLine"/>s when memory no longer has them.
/// </summary>
internal static class LogFileFormat
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const int TimeLength = 24;

    /// <summary>Room <see cref="Write"/> may need for <paramref name="line"/>.</summary>
    public static int MaxByteCount(LogLine line) => TimeLength + 8 + Encoding.UTF8.GetMaxByteCount(line.Text.Length) + 1;

    /// <summary>Writes the line and its <c>\n</c> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(LogLine line, Span<byte> destination)
    {
        line.Time.UtcDateTime.TryFormat(destination, out var written, TimeFormat, CultureInfo.InvariantCulture);
        destination[written++] = (byte)' ';
        var stream = StreamName(line.Stream);
        stream.CopyTo(destination[written..]);
        written += stream.Length;
        destination[written++] = (byte)' ';
        // Lone surrogates in the text become U+FFFD rather than an exception: a log write must not fail over content.
        written += Encoding.UTF8.GetBytes(line.Text, destination[written..]);
        destination[written++] = (byte)'\n';
        return written;
    }

    /// <summary>Reads back one line of a file written by <see cref="Write"/>; false for anything else.</summary>
    public static bool TryParse(string text, string service, string replica, out LogLine line)
    {
        line = null!;
        var firstSpace = text.IndexOf(' ');
        if (firstSpace != TimeLength
            || !DateTimeOffset.TryParseExact(text.AsSpan(0, TimeLength), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return false;
        }

        var rest = text.AsSpan(TimeLength + 1);
        var secondSpace = rest.IndexOf(' ');
        var streamName = secondSpace < 0 ? rest : rest[..secondSpace];
        LogStream? stream = streamName switch
        {
            "stdout" => LogStream.Stdout,
            "stderr" => LogStream.Stderr,
            "system" => LogStream.System,
            _ => null,
        };
        if (stream is null)
        {
            return false;
        }

        var message = secondSpace < 0 ? string.Empty : text[(TimeLength + 1 + secondSpace + 1)..];
        line = new LogLine(time, service, replica, stream.Value, message);
        return true;
    }

    private static ReadOnlySpan<byte> StreamName(LogStream stream) => stream switch
    {
        LogStream.Stdout => "stdout"u8,
        LogStream.Stderr => "stderr"u8,
        _ => "system"u8,
    };
}
