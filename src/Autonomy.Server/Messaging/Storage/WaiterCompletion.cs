namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// Completes the appends of one written or synced batch on a thread-pool thread, one after the other, so that the
/// writer and sync threads never run an appender's continuation and a batch costs one work item, not one per record.
/// Pooled with its list, so completing appends allocates nothing.
/// </summary>
internal sealed class WaiterCompletion : IThreadPoolWorkItem
{
    private const int PoolLimit = 64;

    private static readonly Stack<WaiterCompletion> Pool = new();

    private readonly List<AppendWaiter> _waiters = [];
    private Exception? _failure;

    /// <summary>Queues the completion of <paramref name="waiters"/> (copied: the caller may clear its list), failed with <paramref name="failure"/> when given.</summary>
    public static void Queue(List<AppendWaiter> waiters, Exception? failure)
    {
        if (waiters.Count == 0)
        {
            return;
        }
        WaiterCompletion? completion;
        lock (Pool)
        {
            Pool.TryPop(out completion);
        }
        completion ??= new WaiterCompletion();
        completion._waiters.AddRange(waiters);
        completion._failure = failure;
        ThreadPool.UnsafeQueueUserWorkItem(completion, preferLocal: false);
    }

    public void Execute()
    {
        var failure = _failure;
        foreach (var waiter in _waiters)
        {
            if (failure is null)
            {
                waiter.Complete();
            }
            else
            {
                waiter.Fail(failure);
            }
        }
        _waiters.Clear();
        _failure = null;
        lock (Pool)
        {
            if (Pool.Count < PoolLimit)
            {
                Pool.Push(this);
            }
        }
    }
}
