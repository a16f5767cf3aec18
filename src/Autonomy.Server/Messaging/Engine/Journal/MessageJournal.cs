using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// The engine's side of the log: appends its records (awaited or in the background), reads messages back through
/// the body cache, holds segment references for queue entries, and counts the bytes publishers have in flight.
/// </summary>
internal sealed class MessageJournal : IAsyncDisposable
{
    private readonly MessageLog _log;
    private readonly FlowControl _flow;
    private readonly Lock _gate = new();
    private int _background;
    private TaskCompletionSource? _drained;
    private Exception? _failure;

    private MessageJournal(MessageLog log, BodyCache cache, FlowControl flow)
    {
        _log = log;
        Cache = cache;
        _flow = flow;
    }

    public BodyCache Cache { get; }

    public MessageLogStats LogStats => _log.Stats;

    /// <summary>The first error a background append met, if any (the disk failed under the broker).</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    public static async Task<MessageJournal> OpenAsync(string directory, ILogFileSystem files, MessageLogOptions options,
        BodyCache cache, FlowControl flow, MessageLog.RecordReplay replay, CancellationToken ct)
    {
        var log = await MessageLog.OpenAsync(directory, files, options, replay, ct).ConfigureAwait(false);
        return new MessageJournal(log, cache, flow);
    }

    /// <summary>
    /// Appends a message (or transfer) record, taking <paramref name="retain"/> references on its segment in the same
    /// step (one per queue entry it creates). Its bytes count as held in memory until they are written.
    /// </summary>
    public async ValueTask<LogPosition> AppendAsync(byte[] record, bool durable, long? refersTo = null, int retain = 0)
    {
        _flow.AddPending(record.Length);
        try
        {
            return await _log.AppendAsync(record, durable, refersTo, retain).ConfigureAwait(false);
        }
        finally
        {
            _flow.RemovePending(record.Length);
        }
    }

    /// <summary>
    /// Appends a record nobody waits for (an ack, a return, a deletion): it is durable with the next batch. Log order
    /// still puts it after the message it refers to, which is all recovery needs.
    /// </summary>
    public void AppendInBackground(byte[] record, long refersTo)
    {
        ValueTask<LogPosition> append;
        try
        {
            append = _log.AppendAsync(record, durable: false, refersTo);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Interlocked.CompareExchange(ref _failure, error, null);
            return;
        }
        if (append.IsCompletedSuccessfully)
        {
            _ = append.Result;
            return;
        }
        lock (_gate)
        {
            _background++;
        }
        _ = ObserveAsync(append);
    }

    /// <summary>The message at a position: from the cache, else read back from its segment.</summary>
    public StoredMessage Load(LogPosition position)
    {
        if (Cache.TryGet(position, out var cached))
        {
            return cached;
        }
        var read = _log.ReadAsync(position);
        var record = read.IsCompletedSuccessfully ? read.Result : read.AsTask().GetAwaiter().GetResult();
        return StoredMessage.FromRecord(record);
    }

    public void Retain(long segment, int count = 1) => _log.Retain(segment, count);

    public void Release(long segment, int count = 1) => _log.Release(segment, count);

    /// <summary>Waits until every background append has been written.</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            if (_background == 0)
            {
                return Task.CompletedTask;
            }
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    public ValueTask DisposeAsync() => _log.DisposeAsync();

    private async Task ObserveAsync(ValueTask<LogPosition> append)
    {
        try
        {
            await append.ConfigureAwait(false);
        }
        catch (Exception error)
        {
            Interlocked.CompareExchange(ref _failure, error, null);
        }
        finally
        {
            TaskCompletionSource? drained = null;
            lock (_gate)
            {
                if (--_background == 0)
                {
                    drained = _drained;
                    _drained = null;
                }
            }
            drained?.TrySetResult();
        }
    }
}
