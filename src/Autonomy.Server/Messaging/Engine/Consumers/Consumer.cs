namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// A consumer: a queue, the session it delivers through, and its prefetch. Room is reserved before a message is
/// taken for it and given back on settlement, so that neither its own prefetch nor its session's global one is ever
/// exceeded, even with several queues delivering to one session at once.
/// </summary>
internal sealed class Consumer(Session session, MessageQueue queue, string tag, bool noAck, bool exclusive, ushort prefetch,
    IDeliverySink sink)
{
    private int _inFlight;
    private volatile bool _active = true;

    public Session Session { get; } = session;
    public MessageQueue Queue { get; } = queue;
    public string Tag { get; } = tag;
    public bool NoAck { get; } = noAck;
    public bool Exclusive { get; } = exclusive;
    public IDeliverySink Sink { get; } = sink;

    public bool Active => _active;

    /// <summary>Deliveries out and not yet settled.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void Deactivate() => _active = false;

    /// <summary>Reserves room for one delivery; false when the consumer or its session is at its prefetch.</summary>
    public bool TryReserve()
    {
        if (!_active)
        {
            return false;
        }
        if (NoAck)
        {
            // RabbitMQ applies no prefetch to consumers that do not acknowledge.
            return true;
        }
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (prefetch > 0 && current >= prefetch)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                break;
            }
        }
        if (!Session.TryReserveGlobal())
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }
        return true;
    }

    /// <summary>Gives back the room of a delivery that was settled, returned, or never made.</summary>
    public void Unreserve()
    {
        if (NoAck)
        {
            return;
        }
        Interlocked.Decrement(ref _inFlight);
        Session.ReleaseGlobal();
    }
}
