using System.Globalization;
using System.Runtime.InteropServices;

namespace Autonomy.Server.Runtime.Processes;

/// <summary>Process groups and the identity of a process across pid reuse and reboots.</summary>
internal static class ProcessGroups
{
    /// <summary>
    /// Makes this process the parent of every orphan among its descendants (prctl PR_SET_CHILD_SUBREAPER), as
    /// PID 1 of a container is. Without it, the children a service leaves behind go to init, and the group of
    /// a stopped service is only known to be gone once init got round to reaping them. Call it once, early.
    /// </summary>
    /// <returns>False when the kernel refused.</returns>
    public static bool EnableChildSubreaper() => LibC.Prctl(LibC.PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>True while any process of the group exists, a zombie not yet reaped included.</summary>
    public static bool IsGroupAlive(int pgid)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pgid);
        // EPERM also means that the group exists: it only has processes we may not signal.
        return LibC.Kill(-pgid, 0) == 0 || Marshal.GetLastPInvokeError() != Errno.ESRCH;
    }

    /// <summary>kill(-pgid, signal); a group that is already gone is not an error.</summary>
    /// <summary>
    /// Whether the group has a member that is not a zombie. kill(-pgid, 0) also counts zombies, which
    /// stay until their parent reaps them: after a crash of Autonomy that parent may be a process
    /// that never will, so a recovering supervisor must not wait for them.
    /// </summary>
    public static bool HasLiveMembers(int pgid)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" && fields[2] == pgid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return false;
    }

    /// <summary>Whether the process exists and is not a zombie waiting for its parent to reap it.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    public static void SignalGroup(int pgid, int signal)
    {
        // kill(-1) would signal every process we may signal: never let a bad pgid get there.
        ArgumentOutOfRangeException.ThrowIfLessThan(pgid, 2);
        if (LibC.Kill(-pgid, signal) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.ESRCH)
            {
                throw new InvalidOperationException($"Cannot send {Signals.Name(signal)} to process group {pgid}: {Errno.Describe(errno)}.");
            }
        }
    }

    /// <summary>
    /// Field 22 of <c>/proc/&lt;pid&gt;/stat</c>: when the process started, in clock ticks since boot. With the
    /// pid and <see cref="BootId"/> it names one process for good, where a pid alone may be reused.
    /// </summary>
    /// <returns>Null when the process is gone.</returns>
    public static long? ReadStartTime(int pid)
    {
        var fields = ReadStatFields(pid);
        // Fields after the command name start at field 3, so field 22 is at index 19.
        return fields is { Length: > 19 } && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? ticks
            : null;
    }

    /// <summary>Changes at every boot, so a start time saved before a reboot never matches a process after it.</summary>
    public static string BootId() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();

    /// <summary>The fields of /proc/&lt;pid&gt;/stat from field 3 (state) on, or null when the process is gone.</summary>
    private static string[]? ReadStatFields(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
        var end = stat.LastIndexOf(')');
        return end < 0 ? null : stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
