using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;

namespace Autonomy.Server.Gateway;

/// <summary>
/// The gateway's access logs: a JSON line per request in <c>logs/gateway/&lt;service&gt;/&lt;index&gt;.log</c> (the
/// route's id as a path). Requests only queue their entry; one writer formats and writes them, so a slow disk never
/// slows a request. When the queue is full (the disk far behind), entries are dropped and counted rather than held.
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    private const int Capacity = 64 * 1024;
    private readonly string _directory;
    private readonly long _maxFileBytes;
    private readonly int _maxFiles;
    private readonly Channel<AccessLogEntry> _queue = Channel.CreateBounded<AccessLogEntry>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, AccessLogFile> _files = new(StringComparer.Ordinal);
    private readonly Task _writing;
    private long _dropped;

    public AccessLog(string directory, long maxFileBytes = 10 * 1024 * 1024, int maxFiles = 3)
    {
        _directory = directory;
        _maxFileBytes = maxFileBytes;
        _maxFiles = maxFiles;
        // A thread of its own: under load the writer never runs dry, and on a pool thread it would hold one of the
        // few a pinned or small machine has, which the requests need.
        _writing = Task.Factory.StartNew(Write, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Entries dropped because the writer was too far behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The file of <paramref name="routeId"/> (<c>service/index</c>).</summary>
    public string PathOf(string routeId) => Path.Combine(_directory, routeId.Replace('/', Path.DirectorySeparatorChar) + ".log");

    public void Write(in AccessLogEntry entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private void Write()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var json = new Utf8JsonWriter(buffer);
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var entry))
            {
                buffer.ResetWrittenCount();
                json.Reset(buffer);
                Format(json, entry);
                json.Flush();
                buffer.Write("\n"u8);
                try
                {
                    FileOf(entry.Route).Append(buffer.WrittenSpan);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A full disk loses lines, never requests; the file is reopened with the next line.
                    Drop(entry.Route);
                }
            }
            foreach (var (route, file) in _files)
            {
                try
                {
                    file.Flush();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Drop(route);
                }
            }
        }
    }

    private AccessLogFile FileOf(string route)
    {
        if (!_files.TryGetValue(route, out var file))
        {
            file = new AccessLogFile(PathOf(route), _maxFileBytes, _maxFiles);
            _files[route] = file;
        }
        return file;
    }

    private void Drop(string route)
    {
        if (_files.Remove(route, out var file))
        {
            try
            {
                file.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Format(Utf8JsonWriter json, in AccessLogEntry entry)
    {
        json.WriteStartObject();
        json.WriteString("time"u8, entry.Time);
        json.WriteString("route"u8, entry.Route);
        json.WriteString("method"u8, entry.Method);
        json.WriteString("path"u8, entry.Path);
        json.WriteNumber("status"u8, entry.Status);
        json.WriteNumber("duration_ms"u8, Math.Round(entry.DurationMs, 3));
        if (entry.Destination is null)
        {
            json.WriteNull("destination"u8);
        }
        else
        {
            json.WriteString("destination"u8, entry.Destination);
        }
        json.WriteString("request_id"u8, entry.RequestId);
        json.WriteString("client"u8, entry.Client?.ToString());
        json.WriteEndObject();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writing;
        foreach (var file in _files.Values)
        {
            file.Dispose();
        }
        _files.Clear();
    }
}
