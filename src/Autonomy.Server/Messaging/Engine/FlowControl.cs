namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Holds publishers back, without refusing them, while too many message bytes wait to be written or the disk is
/// nearly full; lets them go again once the writer has caught up (below 80% of the watermark) or space is back.
/// </summary>
internal sealed class FlowControl(long memoryHighWatermark)
{
    private readonly Lock _gate = new();
    private readonly long _memoryLowWatermark = memoryHighWatermark * 8 / 10;
    private long _pending;
    private bool _memoryBlocked;
    private bool _diskBlocked;
    private TaskCompletionSource? _released;

    public event Action<bool, string>? Changed;

    public bool IsBlocked { get { lock (_gate) { return _memoryBlocked || _diskBlocked; } } }

    public bool IsDiskBlocked { get { lock (_gate) { return _diskBlocked; } } }

    /// <summary>Bytes of records handed to the log and not yet written.</summary>
    public long PendingBytes => Interlocked.Read(ref _pending);

    /// <summary>Completes at once unless publishers are held back, then when they are let go.</summary>
    public ValueTask WaitAsync(CancellationToken ct)
    {
        Task wait;
        lock (_gate)
        {
            if (!_memoryBlocked && !_diskBlocked)
            {
                return ValueTask.CompletedTask;
            }
            _released ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _released.Task;
        }
        return new ValueTask(wait.WaitAsync(ct));
    }

    public void AddPending(long bytes)
    {
        var pending = Interlocked.Add(ref _pending, bytes);
        if (pending > memoryHighWatermark && !Volatile.Read(ref _memoryBlocked))
        {
            SetMemoryBlocked(true);
        }
    }

    public void RemovePending(long bytes)
    {
        var pending = Interlocked.Add(ref _pending, -bytes);
        if (pending <= _memoryLowWatermark && Volatile.Read(ref _memoryBlocked))
        {
            SetMemoryBlocked(false);
        }
    }

    public void SetDiskBlocked(bool blocked, long freeBytes)
    {
        (bool Blocked, string Reason)? change;
        lock (_gate)
        {
            var before = _memoryBlocked || _diskBlocked;
            _diskBlocked = blocked;
            change = Transition(before, blocked ? $"disk: {freeBytes} bytes free, below the limit" : "disk space is back");
        }
        Raise(change);
    }

    private void SetMemoryBlocked(bool blocked)
    {
        (bool Blocked, string Reason)? change;
        lock (_gate)
        {
            var pending = Interlocked.Read(ref _pending);
            // Checked again under the lock: another thread may have crossed back meanwhile.
            if (blocked ? pending <= memoryHighWatermark || _memoryBlocked : pending > _memoryLowWatermark || !_memoryBlocked)
            {
                return;
            }
            var before = _memoryBlocked || _diskBlocked;
            _memoryBlocked = blocked;
            change = Transition(before, blocked
                ? $"memory: {pending} bytes of messages wait to be written, above the high watermark of {memoryHighWatermark}"
                : "memory: the log has caught up");
        }
        Raise(change);
    }

    private (bool, string)? Transition(bool before, string reason)
    {
        var after = _memoryBlocked || _diskBlocked;
        if (before == after)
        {
            return null;
        }
        if (!after)
        {
            _released?.TrySetResult();
            _released = null;
        }
        return (after, reason);
    }

    private void Raise((bool Blocked, string Reason)? change)
    {
        if (change is { } c)
        {
            Changed?.Invoke(c.Blocked, c.Reason);
        }
    }
}
