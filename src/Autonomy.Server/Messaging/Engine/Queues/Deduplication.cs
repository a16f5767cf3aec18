namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// The message ids a queue saw within its x-deduplication-window, so that a producer retrying after a lost confirm
/// does not enqueue twice. Ids leave in the order they came, once older than the window.
/// </summary>
internal sealed class Deduplication(long windowMs)
{
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long At)> _order = new();

    /// <summary>True when the id is new within the window (and remembers it); false for a duplicate.</summary>
    public bool TryRecord(string messageId, long now)
    {
        Forget(now);
        if (_seen.ContainsKey(messageId))
        {
            return false;
        }
        _seen[messageId] = now;
        _order.Enqueue((messageId, now));
        return true;
    }

    /// <summary>Remembers an id seen at <paramref name="at"/> (recovery rebuilds the window from the log).</summary>
    public void Remember(string messageId, long at, long now)
    {
        if (at + windowMs > now && _seen.TryAdd(messageId, at))
        {
            _order.Enqueue((messageId, at));
        }
    }

    private void Forget(long now)
    {
        while (_order.TryPeek(out var oldest) && oldest.At + windowMs <= now)
        {
            _order.Dequeue();
            if (_seen.TryGetValue(oldest.Id, out var at) && at == oldest.At)
            {
                _seen.Remove(oldest.Id);
            }
        }
    }
}
