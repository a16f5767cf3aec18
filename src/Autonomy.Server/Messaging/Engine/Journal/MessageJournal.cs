using System.Runtime.CompilerServices;
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
    // Messages whose records are placed in the log but not yet written: readable only from here until they are.
    private readonly Dictionary<LogPosition, StoredMessage> _unwritten = [];
    private int _background;
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
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
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
    /// Appends a message (or transfer) record and makes the message readable at once, before its record is written:
    /// queues show it to consumers while the log makes it durable, and only the publisher's answer waits for that
    /// (as RabbitMQ delivers before it confirms). Until the returned task completes the message is served from
    /// memory; the caller then calls <see cref="Settled"/>. Log order puts anything recorded about the message later
    /// (an ack, a requeue count) after its record, so recovery never sees a settlement without what it settles
    /// unless the message itself was never acknowledged to its publisher.
    /// </summary>
    public ValueTask<LogPosition> AppendVisible(byte[] record, StoredMessage message, bool durable, long? refersTo, int retain,
        out LogPosition position)
    {
        _flow.AddPending(record.Length);
        ValueTask<LogPosition> append;
        try
        {
            append = _log.Append(record, durable, refersTo, retain, out position);
            if (position.Segment == 0)
            {
                // Refused before it had a place (the log has failed or is closed): nothing may point at it.
                append.GetAwaiter().GetResult();
                throw new InvalidOperationException("the message log refused an append without saying why");
            }
        }
        catch
        {
            _flow.RemovePending(record.Length);
            throw;
        }
        lock (_unwritten)
        {
            _unwritten[position] = message;
        }
        Cache.Add(position, message);
        return append;
    }

    /// <summary>
    /// The append of <see cref="AppendVisible"/> has completed. When it failed the message stays in memory: queues
    /// may still hold it, and the log, failed as a whole, can no longer give it back.
    /// </summary>
    public void Settled(LogPosition position, int recordLength, bool written)
    {
        _flow.RemovePending(recordLength);
        if (written)
        {
            lock (_unwritten)
            {
                _unwritten.Remove(position);
            }
        }
    }

    /// <summary>
    /// Appends a record nobody waits for (an ack, a return, a deletion): it is durable with the next batch. Log order
    /// still puts it after the message it refers to, which is all recovery needs. Watching it costs no allocation, and
    /// the record is copied before this returns, so the caller may pass a reused or stack buffer.
    /// </summary>
    public void AppendInBackground(ReadOnlySpan<byte> record, long refersTo)
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
        if (append.IsCompleted)
        {
            Observe(append);
            return;
        }
        Interlocked.Increment(ref _background);
        BackgroundAppend.Watch(this, append);
    }

    /// <summary>The message at a position: from the cache, else read back from its segment.</summary>
    public StoredMessage Load(LogPosition position)
    {
        if (Cache.TryGet(position, out var cached))
        {
            return cached;
        }
        lock (_unwritten)
        {
            if (_unwritten.TryGetValue(position, out var unwritten))
            {
                return unwritten;
            }
        }
        var read = _log.ReadAsync(position);
        var record = read.IsCompletedSuccessfully ? read.Result : read.AsTask().GetAwaiter().GetResult();
        return StoredMessage.FromRecord(record);
    }

    public void Retain(long segment, int count = 1) => _log.Retain(segment, count);

    public void Release(long segment, int count = 1) => _log.Release(segment, count);

    /// <summary>Waits until every background append has been written (the broker is stopping).</summary>
    public async Task DrainAsync()
    {
        while (Volatile.Read(ref _background) > 0)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _log.DisposeAsync();

    private void Observe(ValueTask<LogPosition> append)
    {
        try
        {
            append.GetAwaiter().GetResult();
        }
        catch (Exception error)
        {
            Interlocked.CompareExchange(ref _failure, error, null);
        }
    }

    /// <summary>Waits for one background append through a pooled callback, so that acks allocate no task.</summary>
    private sealed class BackgroundAppend
    {
        private const int PoolLimit = 1024;
        private static readonly Stack<BackgroundAppend> Pool = new();
        private readonly Action _completed;
        private MessageJournal? _journal;
        private ValueTask<LogPosition> _append;

        private BackgroundAppend() => _completed = Completed;

        public static void Watch(MessageJournal journal, ValueTask<LogPosition> append)
        {
            BackgroundAppend? watcher;
            lock (Pool)
            {
                Pool.TryPop(out watcher);
            }
            watcher ??= new BackgroundAppend();
            watcher._journal = journal;
            watcher._append = append;
            append.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(watcher._completed);
        }

        private void Completed()
        {
            var journal = _journal!;
            var append = _append;
            _journal = null;
            _append = default;
            journal.Observe(append);
            lock (Pool)
            {
                if (Pool.Count < PoolLimit)
                {
                    Pool.Push(this);
                }
            }
            Interlocked.Decrement(ref journal._background);
        }
    }
}
