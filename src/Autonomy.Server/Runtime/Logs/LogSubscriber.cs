using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Autonomy.Server.Runtime.Logs;

/// <summary>
/// One live reader of the logs. Its queue is bounded and drops its oldest lines when full, so a reader that stalls
/// (a paused terminal, a slow network) costs a fixed amount of memory and never holds up the replicas that write; the
/// reader is told how many lines it missed, at the place they went missing.
/// </summary>
internal sealed class LogSubscriber
{
    private readonly Channel<LogLine> _queue;
    private long _dropped;

    public LogSubscriber(string? service, int capacity)
    {
        Service = service;
        _queue = Channel.CreateBounded<LogLine>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>The service followed, or null for all of them.</summary>
    public string? Service { get; }

    public bool Wants(LogLine line) => Service is null || Service == line.Service;

    /// <summary>Queues the line without waiting; never fails for a full queue.</summary>
    public void Offer(LogLine line) => _queue.Writer.TryWrite(line);

    /// <summary>Ends the reader's stream once it has read what is queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public async IAsyncEnumerable<LogLine> ReadAllAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var line in _queue.Reader.ReadAllAsync(ct))
        {
            // The lines dropped were older than every line still queued, so the gap sits just before this one.
            var dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0)
            {
                yield return new LogLine(line.Time, Service ?? line.Service, string.Empty, LogStream.System, $"… {dropped} lines dropped: this reader fell behind");
            }
            yield return line;
        }
    }
}
