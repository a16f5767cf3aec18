namespace Autonomy.Server.Runtime.Logs;

/// <summary>
/// Reads a service's lines back from its files (every replica, current and rotated), for tails longer than memory
/// keeps and for lines written before this process started.
/// </summary>
internal static class LogFileHistory
{
    /// <summary>The services that have a log folder.</summary>
    public static IEnumerable<string> Services(string logDirectory) =>
        Directory.Exists(logDirectory)
            ? Directory.EnumerateDirectories(logDirectory).Select(Path.GetFileName).OfType<string>()
            : [];

    /// <summary>Up to <paramref name="count"/> of the service's newest lines, oldest first.</summary>
    public static List<LogLine> ReadLast(string logDirectory, string service, int count)
    {
        var folder = Path.Combine(logDirectory, service);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var replicas = new Dictionary<string, List<(int Generation, string Path)>>();
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            if (LogFileNames.TryParse(Path.GetFileName(path), out var replica, out var generation))
            {
                if (!replicas.TryGetValue(replica, out var files))
                {
                    replicas[replica] = files = [];
                }
                files.Add((generation, path));
            }
        }

        var lines = new List<LogLine>();
        foreach (var (replica, files) in replicas)
        {
            // Oldest generation first, so the queue ends up holding the newest lines in order.
            var last = new Queue<LogLine>();
            foreach (var (_, path) in files.OrderByDescending(f => f.Generation))
            {
                ReadInto(last, path, service, replica, count);
            }
            lines.AddRange(last);
        }
        return TimeOrder.Last(lines, count);
    }

    private static void ReadInto(Queue<LogLine> last, string path, string service, string replica, int count)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(file);
            while (reader.ReadLine() is { } text)
            {
                if (LogFileFormat.TryParse(text, service, replica, out var line))
                {
                    last.Enqueue(line);
                    if (last.Count > count)
                    {
                        last.Dequeue();
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Rotated away between listing the folder and opening it (its lines are in the next generation), or not
            // readable: a tail shows what it can rather than fail.
        }
    }
}
