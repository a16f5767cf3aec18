namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// A queue's ready messages in delivery order: by priority (highest first, when the queue has x-max-priority),
/// first in first out within one priority.
/// </summary>
internal sealed class ReadyEntries(byte maxPriority)
{
    private readonly EntryDeque?[] _levels = new EntryDeque?[maxPriority + 1];
    private int _top = -1;

    public int Count { get; private set; }

    public long Bytes { get; private set; }

    public void PushBack(in QueueEntry entry)
    {
        Level(entry.Priority).PushBack(entry);
        Count++;
        Bytes += entry.BodySize;
    }

    /// <summary>Puts a returned message back in front of its priority's messages.</summary>
    public void PushFront(in QueueEntry entry)
    {
        Level(entry.Priority).PushFront(entry);
        Count++;
        Bytes += entry.BodySize;
    }

    private EntryDeque Level(byte priority)
    {
        var level = Math.Min(priority, _levels.Length - 1);
        _top = Math.Max(_top, level);
        return _levels[level] ??= new EntryDeque();
    }

    public ref QueueEntry Head()
    {
        SkipEmptyLevels();
        return ref _levels[_top]!.Front;
    }

    public QueueEntry PopHead()
    {
        SkipEmptyLevels();
        var entry = _levels[_top]!.PopFront();
        Count--;
        Bytes -= entry.BodySize;
        return entry;
    }

    /// <summary>The entries in delivery order, up to <paramref name="max"/>.</summary>
    public List<QueueEntry> Take(int max)
    {
        var result = new List<QueueEntry>(Math.Min(max, Count));
        for (var level = _levels.Length - 1; level >= 0 && result.Count < max; level--)
        {
            var deque = _levels[level];
            for (var i = 0; deque is not null && i < deque.Count && result.Count < max; i++)
            {
                result.Add(deque[i]);
            }
        }
        return result;
    }

    /// <summary>Removes every entry, handing each to <paramref name="removed"/>.</summary>
    public void Drain(Action<QueueEntry> removed)
    {
        foreach (var deque in _levels)
        {
            while (deque is { Count: > 0 })
            {
                removed(deque.PopFront());
            }
        }
        Count = 0;
        Bytes = 0;
        _top = -1;
    }

    private void SkipEmptyLevels()
    {
        while (_top >= 0 && (_levels[_top]?.Count ?? 0) == 0)
        {
            _top--;
        }
        if (_top < 0)
        {
            throw new InvalidOperationException("no ready entries");
        }
    }
}
