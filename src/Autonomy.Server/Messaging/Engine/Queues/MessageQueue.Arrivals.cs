using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Admitted messages join the queue in admission order. A publish takes its ticket when it is admitted and arrives
/// once its record has a place in the log; publishers on other threads can arrive in between, so an entry that
/// arrives before its turn waits, invisible to consumers, until every earlier ticket has arrived or been withdrawn.
/// </summary>
internal sealed partial class MessageQueue
{
    private long _nextTicket;
    private long _nextArrival;
    private Dictionary<long, Arrival>? _early;

    /// <summary>Takes in an admitted message now that its record has its place in the log (which took a reference on its segment for this entry).</summary>
    public void Enqueue(long ticket, QueueEntry entry, StoredMessage message) => Arrive(ticket, new Arrival(entry, message));

    /// <summary>Gives back the room and the place in line of an admitted message that was not stored (its append failed).</summary>
    public void Withdraw(long ticket, int bodySize) => Arrive(ticket, new Arrival(new QueueEntry { BodySize = bodySize }, null));

    private void Arrive(long ticket, Arrival arrival)
    {
        Arrival first = default;
        List<Arrival>? more = null;
        List<QueueEntry>? dropped = null;
        Action<Delivery>[] taps;
        bool dispatchHere;
        lock (_gate)
        {
            if (ticket != _nextArrival)
            {
                (_early ??= [])[ticket] = arrival;
                return;
            }
            first = arrival;
            Take(arrival, ref dropped);
            _nextArrival++;
            while (_early is { Count: > 0 } && _early.Remove(_nextArrival, out var next))
            {
                Take(next, ref dropped);
                (more ??= []).Add(next);
                _nextArrival++;
            }
            if (_deleted)
            {
                return;
            }
            taps = _taps;
            // A consumer waiting with room gets the message on this thread, without a hop through the thread pool:
            // that hop is most of a delivery's latency when the machine is busy. Execute hands the rest of a long run
            // to the pool, so a publisher never delivers more than one run's budget.
            dispatchHere = OnWorkAvailable(runHere: true);
        }
        if (taps.Length > 0)
        {
            Tap(taps, first);
            if (more is not null)
            {
                foreach (var next in more)
                {
                    Tap(taps, next);
                }
            }
        }
        if (dropped is not null)
        {
            Broker.DeadLetters.Send(this, dropped, DeathReason.MaxLength);
        }
        if (dispatchHere)
        {
            Execute();
        }
    }

    /// <summary>Puts an arrived entry where it belongs (under the lock), in its turn.</summary>
    private void Take(in Arrival arrival, ref List<QueueEntry>? dropped)
    {
        var entry = arrival.Entry;
        _reserved--;
        _reservedBytes -= entry.BodySize;
        if (arrival.Message is null)
        {
            return;
        }
        if (_deleted)
        {
            Journal.Release(entry.Position.Segment);
            return;
        }
        Count(entry);
        _published++;
        if (entry.ReadyAt > Now)
        {
            _delayed.Add(entry);
        }
        else
        {
            _ready.PushBack(entry);
        }
        if (Policy.HasLengthLimit && Policy.Overflow == OverflowMode.DropHead)
        {
            while (_ready.Count > 0 && IsOver())
            {
                (dropped ??= []).Add(_ready.PopHead());
            }
        }
    }

    private void Tap(Action<Delivery>[] taps, in Arrival arrival)
    {
        if (arrival.Message is null)
        {
            return;
        }
        foreach (var tap in taps)
        {
            tap(ToDelivery(arrival.Entry, arrival.Message.Value, 0, null, 0));
        }
    }

    /// <summary>An admitted message in its turn: its entry, or no message when it was withdrawn.</summary>
    private readonly record struct Arrival(QueueEntry Entry, StoredMessage? Message);
}
