namespace Autonomy.Server.Runtime.Planning;

/// <summary>Finds a program as a shell would (PATH, or a path relative to the working directory), and suggests near names when it is missing.</summary>
internal static class ProgramResolver
{
    public static string? Resolve(string program, string workingDirectory, string? path)
    {
        if (program.Contains('/'))
        {
            var full = Path.GetFullPath(program, workingDirectory);
            return IsExecutable(full) ? full : null;
        }
        foreach (var dir in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Programs on PATH whose names start with the missing one (python → python3), for the hint.</summary>
    public static IReadOnlyList<string> Similar(string program, string? path)
    {
        var name = Path.GetFileName(program);
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dir in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }
            try
            {
                foreach (var file in Directory.EnumerateFiles(dir, name + "*"))
                {
                    var candidate = Path.GetFileName(file);
                    if (candidate.Length <= name.Length + 4 && IsExecutable(file))
                    {
                        found.Add(candidate);
                    }
                }
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return [.. found.Take(5)];
    }

    private static bool IsExecutable(string file)
    {
        try
        {
            return File.Exists(file) && (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
