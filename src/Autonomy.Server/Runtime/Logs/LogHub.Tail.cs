namespace Autonomy.Server.Runtime.Logs;

internal sealed partial class LogHub
{
    /// <summary>
    /// The newest <paramref name="lines"/> lines of one service, or of all when <paramref name="service"/> is null,
    /// oldest first. Memory answers when it has enough; otherwise the files do, which also hold earlier runs.
    /// </summary>
    public IReadOnlyList<LogLine> Tail(string? service, int lines)
    {
        if (lines <= 0)
        {
            return [];
        }
        if (service is not null)
        {
            return TailOf(service, lines);
        }

        // The newest N lines of the project are among the newest N of each service.
        var services = _memory.Keys.Union(LogFileHistory.Services(_logDirectory), StringComparer.Ordinal);
        return TimeOrder.Last(services.SelectMany(s => TailOf(s, lines)), lines);
    }

    private List<LogLine> TailOf(string service, int lines)
    {
        // Not a name any line could have been written under, and not a path to read files from.
        if (!LogFileNames.IsValidName(service))
        {
            return [];
        }

        var remembered = _memory.TryGetValue(service, out var ring) ? ring.TakeLast(lines) : [];
        if (remembered.Count >= lines)
        {
            return remembered;
        }

        FlushFiles(service);
        var stored = LogFileHistory.ReadLast(_logDirectory, service, lines);
        // Files hold everything memory does unless writing them failed; then memory is the better answer.
        return stored.Count >= remembered.Count ? stored : remembered;
    }

    private void FlushFiles(string? service = null)
    {
        foreach (var ((fileService, _), file) in _files)
        {
            if (service is null || fileService == service)
            {
                file.Flush();
            }
        }
    }
}
