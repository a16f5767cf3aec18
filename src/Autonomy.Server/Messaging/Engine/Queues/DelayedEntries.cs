namespace Autonomy.Server.Messaging.Engine;

/// <summary>Messages that are not ready yet (x-delay, retry backoff), earliest first; equal times keep their order.</summary>
internal sealed class DelayedEntries
{
    private readonly PriorityQueue<QueueEntry, (long ReadyAt, long Sequence)> _heap = new();
    private long _sequence;

    public int Count => _heap.Count;

    public long Bytes { get; private set; }

    public long NextReadyAt => _heap.TryPeek(out var entry, out _) ? entry.ReadyAt : long.MaxValue;

    public void Add(in QueueEntry entry)
    {
        _heap.Enqueue(entry, (entry.ReadyAt, _sequence++));
        Bytes += entry.BodySize;
    }

    /// <summary>Takes the next entry whose time has come.</summary>
    public bool TryTakeDue(long now, out QueueEntry entry)
    {
        if (_heap.TryPeek(out entry, out _) && entry.ReadyAt <= now)
        {
            _heap.Dequeue();
            Bytes -= entry.BodySize;
            return true;
        }
        return false;
    }

    public void Drain(Action<QueueEntry> removed)
    {
        while (_heap.TryDequeue(out var entry, out _))
        {
            removed(entry);
        }
        Bytes = 0;
    }
}
