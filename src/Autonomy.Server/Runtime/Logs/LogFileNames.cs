using System.Globalization;

namespace Autonomy.Server.Runtime.Logs;

/// <summary>
/// Where a replica's lines are kept: <c>&lt;logs&gt;/&lt;service&gt;/&lt;replica&gt;.log</c>, rotated copies beside
/// it as <c>.log.1</c>, <c>.log.2</c>…
/// </summary>
internal static class LogFileNames
{
    private const string Extension = ".log";

    // Lines about the service as a whole have no replica; "_" cannot start a replica name compose generates.
    private const string ServiceWide = "_service";

    /// <summary>The replica's current file; names become path segments, so one that would climb out is refused.</summary>
    public static string PathOf(string logDirectory, string service, string replica)
    {
        RequireFileName(service, nameof(service), allowEmpty: false);
        RequireFileName(replica, nameof(replica), allowEmpty: true);
        var name = replica.Length == 0 ? ServiceWide : replica;
        return Path.Combine(logDirectory, service, name + Extension);
    }

    /// <summary>
    /// Recognizes <c>web-1.log</c> (generation 0, the current file) and <c>web-1.log.2</c> (the second newest rotated
    /// copy); anything else in the folder is not a log file.
    /// </summary>
    public static bool TryParse(string fileName, out string replica, out int generation)
    {
        replica = string.Empty;
        generation = 0;
        var extension = fileName.LastIndexOf(Extension, StringComparison.Ordinal);
        if (extension <= 0)
        {
            return false;
        }

        var suffix = fileName.AsSpan(extension + Extension.Length);
        if (!suffix.IsEmpty
            && (suffix[0] != '.' || !int.TryParse(suffix[1..], NumberStyles.None, CultureInfo.InvariantCulture, out generation) || generation == 0))
        {
            return false;
        }

        var name = fileName[..extension];
        replica = name == ServiceWide ? string.Empty : name;
        return true;
    }

    /// <summary>Whether the name can be a folder or file name inside the log folder (not one that climbs out of it).</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && name is not ("." or "..") && name.AsSpan().IndexOfAny(['/', '\\', '\0']) < 0;

    private static void RequireFileName(string name, string parameter, bool allowEmpty)
    {
        if (!(allowEmpty && name.Length == 0) && !IsValidName(name))
        {
            throw new ArgumentException($"'{name}' cannot name a log file: it must be non-empty and contain no '/', '\\' or NUL, and not be '.' or '..'.", parameter);
        }
    }
}
