namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Where delivered secrets live: a folder of this run's own (mode 0700, a random name, so nobody can
/// have prepared it) on a memory file system, so that values never reach the disk in clear:
/// <c>$XDG_RUNTIME_DIR</c> (the user's own tmpfs), else <c>/dev/shm</c>. Without either it falls back
/// to the project's state folder. Its path is recorded there, so that a run that was killed has its
/// folder removed by the next one: the server's in <c>secrets-folder</c>, a one-off command's in
/// <c>secrets-folder.run-PID</c> (removed by a later one once that process is gone).
/// </summary>
internal static class SecretsFolder
{
    private const string Prefix = "autonomy-secrets-";

    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const string RunRecordPrefix = "secrets-folder.run-";

    private static string RecordPath(string stateDirectory, bool oneOff) =>
        Path.Combine(stateDirectory, oneOff ? RunRecordPrefix + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) : "secrets-folder");

    /// <summary>Makes a new folder for the server's replicas, or for a one-off command (after removing what a killed one left behind).</summary>
    public static string Create(string stateDirectory, IReadOnlyDictionary<string, string> environment, bool oneOff = false)
    {
        if (oneOff)
        {
            RemoveLeftOverRuns(stateDirectory);
        }
        else
        {
            RemoveLeftOver(stateDirectory, RecordPath(stateDirectory, oneOff: false));
        }
        var folder = MemoryBase(environment) is { } memory
            ? Path.Combine(memory, Prefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)))
            : Path.Combine(stateDirectory, oneOff ? $"secrets-run-{Environment.ProcessId}" : "secrets");
        if (Directory.Exists(folder) && folder.StartsWith(stateDirectory, StringComparison.Ordinal))
        {
            Directory.Delete(folder, recursive: true);
        }
        Directory.CreateDirectory(folder, OwnerOnly);
        // CreateDirectory applies the umask and leaves an existing folder as it is: make sure.
        File.SetUnixFileMode(folder, OwnerOnly);
        Directory.CreateDirectory(stateDirectory);
        File.WriteAllText(RecordPath(stateDirectory, oneOff), folder);
        return folder;
    }

    /// <summary>Removes the folder and its record.</summary>
    public static void Remove(string stateDirectory, string folder, bool oneOff = false) => Remove(RecordPath(stateDirectory, oneOff), folder);

    private static void Remove(string record, string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            File.Delete(record);
        }
        catch (IOException)
        {
        }
    }

    private static void RemoveLeftOver(string stateDirectory, string record)
    {
        try
        {
            var recorded = File.ReadAllText(record).Trim();
            // Only a folder this code would have made: never follow the record anywhere else.
            var name = Path.GetFileName(recorded);
            if (name.StartsWith(Prefix, StringComparison.Ordinal) || (Path.GetDirectoryName(recorded) == stateDirectory && name.StartsWith("secrets", StringComparison.Ordinal)))
            {
                Remove(record, recorded);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The folders of one-off commands whose process is gone (killed before it could clean up).</summary>
    private static void RemoveLeftOverRuns(string stateDirectory)
    {
        if (!Directory.Exists(stateDirectory))
        {
            return;
        }
        foreach (var record in Directory.EnumerateFiles(stateDirectory, RunRecordPrefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(record)[RunRecordPrefix.Length..], out var pid) && !Processes.ProcessGroups.IsRunning(pid))
            {
                RemoveLeftOver(stateDirectory, record);
            }
        }
    }

    /// <summary>The first candidate that is a writable folder on tmpfs (or ramfs), or null.</summary>
    internal static string? MemoryBase(IReadOnlyDictionary<string, string> environment)
    {
        var candidates = new[] { environment.GetValueOrDefault("XDG_RUNTIME_DIR"), "/dev/shm" };
        var mounts = MemoryMounts();
        foreach (var candidate in candidates)
        {
            if (candidate is not { Length: > 0 } || !Path.IsPathRooted(candidate) || !Directory.Exists(candidate))
            {
                continue;
            }
            var full = Path.GetFullPath(candidate);
            var mount = mounts.Keys.Where(m => full == m || full.StartsWith(m.TrimEnd('/') + "/", StringComparison.Ordinal)).MaxBy(m => m.Length);
            if (mount is not null && mounts[mount] && Writable(full))
            {
                return full;
            }
        }
        return null;
    }

    /// <summary>Every mount point, and whether it is in memory; a later mount on the same point hides an earlier one.</summary>
    private static Dictionary<string, bool> MemoryMounts()
    {
        var mounts = new Dictionary<string, bool>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mounts"))
            {
                var fields = line.Split(' ');
                if (fields.Length >= 3)
                {
                    // Spaces in mount points are written as \040.
                    mounts[fields[1].Replace("\\040", " ", StringComparison.Ordinal)] = fields[2] is "tmpfs" or "ramfs";
                }
            }
        }
        catch (IOException)
        {
        }
        return mounts;
    }

    private static bool Writable(string folder)
    {
        try
        {
            var probe = Path.Combine(folder, Prefix + "probe-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
