using System.Threading.Tasks.Sources;

namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// What an append's caller awaits, reused through a pool so that an append allocates nothing but its bytes in the
/// write buffer. Continuations run on the thread pool, never on the writer or sync thread: those hand a batch's
/// waiters to <see cref="WaiterCompletion"/>, which completes them there, running each continuation inline.
/// </summary>
internal sealed class AppendWaiter : IValueTaskSource<LogPosition>, IValueTaskSource<LogPosition[]>
{
    private const int PoolLimit = 4096;

    private static readonly Stack<AppendWaiter> Pool = new();

    private ManualResetValueTaskSourceCore<bool> _core;

    public LogPosition Position { get; private set; }

    public LogPosition[]? Positions { get; private set; }

    public short Version => _core.Version;

    public static AppendWaiter Rent(LogPosition position, LogPosition[]? positions)
    {
        AppendWaiter? waiter;
        lock (Pool)
        {
            Pool.TryPop(out waiter);
        }
        waiter ??= new AppendWaiter();
        waiter.Position = position;
        waiter.Positions = positions;
        return waiter;
    }

    public void Complete() => _core.SetResult(true);

    public void Fail(Exception error) => _core.SetException(error);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    LogPosition IValueTaskSource<LogPosition>.GetResult(short token)
    {
        var position = Position;
        try
        {
            _core.GetResult(token);
            return position;
        }
        finally
        {
            Recycle(token);
        }
    }

    LogPosition[] IValueTaskSource<LogPosition[]>.GetResult(short token)
    {
        var positions = Positions!;
        try
        {
            _core.GetResult(token);
            return positions;
        }
        finally
        {
            Recycle(token);
        }
    }

    /// <summary>Back to the pool, unless the token is stale (an await of a ValueTask already consumed, which then throws).</summary>
    private void Recycle(short token)
    {
        if (token != _core.Version)
        {
            return;
        }
        _core.Reset();
        Positions = null;
        lock (Pool)
        {
            if (Pool.Count < PoolLimit)
            {
                Pool.Push(this);
            }
        }
    }
}
