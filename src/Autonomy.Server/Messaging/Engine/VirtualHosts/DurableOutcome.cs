using System.Threading.Tasks.Sources;
using Autonomy.Server.Messaging.Model;
using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// A publish's outcome, handed over once its record is durable: a pooled task source that waits on the log's own
/// pooled append, so that a publisher awaiting its confirm costs no allocation. The log runs the continuation on the
/// thread pool, so the publisher's own continuation runs there, inline, without another hop.
/// </summary>
internal sealed class DurableOutcome : IValueTaskSource<PublishOutcome>
{
    private const int PoolLimit = 4096;

    private static readonly Stack<DurableOutcome> Pool = new();

    private readonly Action _appended;
    private ManualResetValueTaskSourceCore<PublishOutcome> _core;
    private ValueTask<LogPosition> _append;
    private MessageJournal? _journal;
    private LogPosition _position;
    private int _recordLength;
    private PublishOutcome _outcome;

    private DurableOutcome() => _appended = Appended;

    /// <summary>The outcome once <paramref name="append"/> completes, after telling the journal it has.</summary>
    public static ValueTask<PublishOutcome> When(ValueTask<LogPosition> append, MessageJournal journal, LogPosition position,
        int recordLength, PublishOutcome outcome)
    {
        if (append.IsCompleted)
        {
            return Settle(append, journal, position, recordLength) is { } error
                ? ValueTask.FromException<PublishOutcome>(error)
                : new ValueTask<PublishOutcome>(outcome);
        }
        DurableOutcome? waiter;
        lock (Pool)
        {
            Pool.TryPop(out waiter);
        }
        waiter ??= new DurableOutcome();
        waiter._append = append;
        waiter._journal = journal;
        waiter._position = position;
        waiter._recordLength = recordLength;
        waiter._outcome = outcome;
        var version = waiter._core.Version;
        append.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(waiter._appended);
        return new ValueTask<PublishOutcome>(waiter, version);
    }

    /// <summary>Observes a completed append and tells the journal; the error, when it failed.</summary>
    private static Exception? Settle(ValueTask<LogPosition> append, MessageJournal journal, LogPosition position, int recordLength)
    {
        try
        {
            append.GetAwaiter().GetResult();
        }
        catch (Exception error)
        {
            journal.Settled(position, recordLength, written: false);
            return error;
        }
        journal.Settled(position, recordLength, written: true);
        return null;
    }

    private void Appended()
    {
        var append = _append;
        var journal = _journal!;
        _append = default;
        _journal = null;
        if (Settle(append, journal, _position, _recordLength) is { } error)
        {
            _core.SetException(error);
        }
        else
        {
            _core.SetResult(_outcome);
        }
    }

    public PublishOutcome GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            if (token == _core.Version)
            {
                _core.Reset();
                lock (Pool)
                {
                    if (Pool.Count < PoolLimit)
                    {
                        Pool.Push(this);
                    }
                }
            }
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
