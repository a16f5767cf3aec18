using System.Globalization;

namespace Autonomy.Server.Runtime.Processes;

/// <summary>
/// CPU and memory of replicas, each counted over its whole process group (a shell and what it started count as one
/// replica), read from <c>/proc/&lt;pid&gt;/stat</c> and <c>/proc/&lt;pid&gt;/status</c>. <see cref="Sample"/> is called
/// every few seconds off the request path; <see cref="For"/> only reads what the last sample found, so asking never waits
/// on the file system. CPU is in percent of one core over the time between the last two samples (since the process
/// started, for a group seen once only).
/// </summary>
internal sealed class ProcessUsage
{
    private static readonly long TicksPerSecond = LibC.ClockTicksPerSecond();

    private readonly Lock _lock = new();
    private Dictionary<int, GroupSample> _last = [];
    private Dictionary<int, ProcessUsageReading> _readings = [];

    /// <summary>What the last sample found for the group led by <paramref name="pid"/>; null before it was sampled.</summary>
    public ProcessUsageReading? For(int pid)
    {
        lock (_lock)
        {
            return _readings.TryGetValue(pid, out var reading) ? reading : null;
        }
    }

    /// <summary>Reads /proc once for every group led by one of <paramref name="leaders"/>; groups not named are forgotten.</summary>
    public void Sample(IReadOnlyCollection<int> leaders)
    {
        var now = ReadUptimeTicks();
        var groups = ReadGroups(leaders);
        var samples = new Dictionary<int, GroupSample>(groups.Count);
        var readings = new Dictionary<int, ProcessUsageReading>(groups.Count);
        Dictionary<int, GroupSample> last;
        lock (_lock)
        {
            last = _last;
        }
        foreach (var (leader, group) in groups)
        {
            var sample = new GroupSample(now, group.CpuTicks, group.StartTicks);
            // A pid reused by another process is a new group: its start time tells them apart.
            var (fromTicks, fromCpu) = last.TryGetValue(leader, out var before) && before.StartTicks == group.StartTicks
                ? (before.AtTicks, before.CpuTicks)
                : (group.StartTicks, 0L);
            var elapsed = now - fromTicks;
            // A child that exits takes its CPU time out of the group's sum: never report that as negative use.
            var cpu = elapsed <= 0 ? 0 : Math.Max(0, group.CpuTicks - fromCpu) * 100.0 / elapsed;
            samples[leader] = sample;
            readings[leader] = new ProcessUsageReading(Math.Round(cpu, 1), group.MemoryBytes);
        }
        lock (_lock)
        {
            _last = samples;
            _readings = readings;
        }
    }

    private static Dictionary<int, GroupTotals> ReadGroups(IReadOnlyCollection<int> leaders)
    {
        var groups = new Dictionary<int, GroupTotals>();
        if (leaders.Count == 0)
        {
            return groups;
        }
        var wanted = leaders.ToHashSet();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // From field 3 (state) on: pgrp is field 5, utime 14, stime 15, starttime 22.
                if (fields.Length <= 19 || fields[0] == "Z" || !int.TryParse(fields[2], CultureInfo.InvariantCulture, out var pgrp) || !wanted.Contains(pgrp))
                {
                    continue;
                }
                var cpu = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                var memory = ReadResidentBytes(Path.Combine(dir, "status"));
                groups.TryGetValue(pgrp, out var totals);
                var start = pid == pgrp ? long.Parse(fields[19], CultureInfo.InvariantCulture) : totals.StartTicks;
                groups[pgrp] = new GroupTotals(totals.CpuTicks + cpu, totals.MemoryBytes + memory, start);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // The process ended while we read it.
            }
        }
        return groups;
    }

    /// <summary>VmRSS of /proc/&lt;pid&gt;/status (in kB there); a kernel thread has none.</summary>
    private static long ReadResidentBytes(string statusPath)
    {
        foreach (var line in File.ReadLines(statusPath))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var value = line.AsSpan(6).Trim();
                var space = value.IndexOf(' ');
                return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    /// <summary>Time since boot, in the clock ticks that /proc counts CPU time and start times in.</summary>
    private static long ReadUptimeTicks()
    {
        var uptime = File.ReadAllText("/proc/uptime");
        var seconds = double.Parse(uptime.AsSpan(0, uptime.IndexOf(' ')), CultureInfo.InvariantCulture);
        return (long)(seconds * TicksPerSecond);
    }

    private readonly record struct GroupTotals(long CpuTicks, long MemoryBytes, long StartTicks);

    private readonly record struct GroupSample(long AtTicks, long CpuTicks, long StartTicks);
}

/// <summary>A replica's CPU (percent of one core, may pass 100 with several threads) and resident memory in bytes.</summary>
internal readonly record struct ProcessUsageReading(double CpuPercent, long MemoryBytes);
