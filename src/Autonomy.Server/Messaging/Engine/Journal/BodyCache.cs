using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// The most recent messages, by log position, up to a byte budget: a consumer that keeps up with its publishers is
/// served from here and never reads the disk; the oldest go first when the budget is spent.
/// </summary>
internal sealed class BodyCache(long capacityBytes)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<LogPosition, StoredMessage> _messages = [];
    private readonly Queue<LogPosition> _order = new();
    private long _bytes;

    public long Bytes => Volatile.Read(ref _bytes);

    public void Add(LogPosition position, StoredMessage message)
    {
        if (message.RecordSize > capacityBytes)
        {
            return;
        }
        lock (_gate)
        {
            if (!_messages.TryAdd(position, message))
            {
                return;
            }
            _order.Enqueue(position);
            _bytes += message.RecordSize;
            while (_bytes > capacityBytes && _order.TryDequeue(out var oldest))
            {
                if (_messages.Remove(oldest, out var evicted))
                {
                    _bytes -= evicted.RecordSize;
                }
            }
        }
    }

    public bool TryGet(LogPosition position, out StoredMessage message)
    {
        lock (_gate)
        {
            return _messages.TryGetValue(position, out message!);
        }
    }

    /// <summary>Forgets a message no queue holds any more, so that its bytes serve others.</summary>
    public void Remove(LogPosition position)
    {
        lock (_gate)
        {
            if (_messages.Remove(position, out var message))
            {
                _bytes -= message.RecordSize;
            }
            // Removed positions stay in the order queue until they reach its head; when they dominate it, it is
            // rebuilt so that a cache that is emptied as fast as it is filled does not grow a queue of stale names.
            if (_order.Count > 1024 + (2 * _messages.Count))
            {
                var live = _order.Where(_messages.ContainsKey).ToList();
                _order.Clear();
                foreach (var kept in live)
                {
                    _order.Enqueue(kept);
                }
            }
        }
    }
}
