using System.Collections.Concurrent;

namespace Autonomy.Server.Runtime.Logs;

/// <summary>
/// The logs of one project. Every line goes to three places: the replica's rotating file (what survives a restart),
/// the service's last lines in memory (what <see cref="Tail"/> answers from), and the live readers
/// (<see cref="Follow"/>). Safe to write from many threads at once: each replica stream has its own pump.
/// </summary>
internal sealed partial class LogHub : IAsyncDisposable
{
    /// <summary>Lines a live reader may fall behind by before the oldest are dropped.</summary>
    internal const int FollowBufferLines = 4096;

    // Buffered file writes reach the system this often, so `tail -f` on a file and a crash both lose little.
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    private readonly string _logDirectory;
    private readonly long _maxFileBytes;
    private readonly int _maxFiles;
    private readonly int _memoryLines;
    private readonly ConcurrentDictionary<string, LogRing> _memory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Service, string Replica), RotatingLogFile> _files = new();
    private readonly Lock _subscribersGate = new();

    // Taken to create a file and to start disposal, so that no file opens after disposal has closed the others.
    private readonly Lock _filesGate = new();
    private readonly Timer _flushTimer;
    private LogSubscriber[] _subscribers = [];
    private volatile bool _disposed;

    public LogHub(string logDirectory, long maxFileBytes = 10 * 1024 * 1024, int maxFiles = 3, int memoryLines = 1000)
    {
        ArgumentException.ThrowIfNullOrEmpty(logDirectory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFileBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFiles);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryLines);
        _logDirectory = Path.GetFullPath(logDirectory);
        _maxFileBytes = maxFileBytes;
        _maxFiles = maxFiles;
        _memoryLines = memoryLines;
        Directory.CreateDirectory(_logDirectory);
        _flushTimer = new Timer(_ => FlushFiles(), null, FlushInterval, FlushInterval);
    }

    /// <summary>
    /// Records a line. Text with line breaks in it is recorded as several lines, so that the files keep one line per
    /// line. After disposal lines are ignored: output still draining from a stopping replica is no error.
    /// </summary>
    public void Write(LogLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Text.AsSpan().IndexOfAny('\r', '\n') < 0)
        {
            Record(line);
            return;
        }
        // A trailing break ends the last line rather than starting an empty one, as it would in a child's output.
        foreach (var part in line.Text.TrimEnd('\r', '\n').Split('\n'))
        {
            Record(line with { Text = part.TrimEnd('\r') });
        }
    }

    /// <summary>
    /// Records a child's output stream line by line until it ends (or <paramref name="ct"/> is cancelled), then records
    /// what follows the last line break, if anything.
    /// </summary>
    public async Task PumpAsync(Stream stream, string service, string replica, LogStream kind, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // A bad name fails the call now rather than at the first line the child prints.
        _ = LogFileNames.PathOf(_logDirectory, service, replica);
        using var splitter = new LineSplitter();
        while (true)
        {
            var read = await stream.ReadAsync(splitter.FreeSpace, ct);
            if (read == 0)
            {
                break;
            }
            splitter.Advance(read);
            while (splitter.TryTakeLine(out var text))
            {
                Record(new LogLine(DateTimeOffset.UtcNow, service, replica, kind, text));
            }
        }
        if (splitter.TryTakeRest(out var rest))
        {
            Record(new LogLine(DateTimeOffset.UtcNow, service, replica, kind, rest));
        }
    }

    /// <summary>Flushes and closes the files and ends every <see cref="Follow"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_filesGate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }

        // Waits for a flush in progress, so that files are not closed under it.
        await _flushTimer.DisposeAsync();
        foreach (var file in _files.Values)
        {
            file.Dispose();
        }
        LogSubscriber[] subscribers;
        lock (_subscribersGate)
        {
            subscribers = _subscribers;
        }
        foreach (var subscriber in subscribers)
        {
            subscriber.Complete();
        }
    }

    private void Record(LogLine line)
    {
        if (_disposed)
        {
            return;
        }
        var file = FileOf(line.Service, line.Replica);
        if (file is null)
        {
            return;
        }
        file.Append(line);
        Remember(line);
    }

    /// <summary>Memory and live readers, not the file: also how a failing file is reported.</summary>
    private void Remember(LogLine line)
    {
        _memory.GetOrAdd(line.Service, _ => new LogRing(_memoryLines)).Add(line);
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            if (subscriber.Wants(line))
            {
                subscriber.Offer(line);
            }
        }
    }

    /// <summary>The replica's file, created on its first line; null once the hub is disposed.</summary>
    private RotatingLogFile? FileOf(string service, string replica)
    {
        if (_files.TryGetValue((service, replica), out var file))
        {
            return file;
        }

        var path = LogFileNames.PathOf(_logDirectory, service, replica);
        lock (_filesGate)
        {
            if (_disposed)
            {
                return null;
            }
            return _files.GetOrAdd((service, replica), _ => new RotatingLogFile(path, _maxFileBytes, _maxFiles, reason =>
                Remember(new LogLine(DateTimeOffset.UtcNow, service, replica, LogStream.System, $"cannot write {path}: {reason}; lines are kept in memory only"))));
        }
    }
}
