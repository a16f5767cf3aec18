using System.Runtime.InteropServices;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// An AMQP channel's worth of state: delivery tags from 1, the unacknowledged deliveries, prefetch limits and
/// consumers. Disposing it cancels its consumers and returns every unacknowledged message to its queue
/// (redelivered). Acknowledging a tag it does not hold is PRECONDITION_FAILED ("unknown delivery tag 7").
/// </summary>
public sealed partial class Session : IAsyncDisposable
{
    private readonly VirtualHost _vhost;
    private readonly object? _owner;
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, Outstanding> _unacked = [];
    private readonly Dictionary<string, Consumer> _consumers = new(StringComparer.Ordinal);
    private ulong _nextTag;
    private ulong _lowestTag = 1;
    private ushort _consumerPrefetch;
    private int _globalPrefetch;
    private int _globalInFlight;
    private bool _closed;

    internal Session(VirtualHost vhost, object? owner)
    {
        _vhost = vhost;
        _owner = owner;
    }

    /// <summary>The connection this session belongs to (null: the platform's own use, such as the HTTP API).</summary>
    public object? Owner => _owner;

    /// <summary>Deliveries not yet acknowledged.</summary>
    public int UnackedCount { get { lock (_gate) { return _unacked.Count; } } }

    /// <summary>Whether <paramref name="deliveryTag"/> is a delivery of this session not yet settled (a transaction checks its acks with it).</summary>
    public bool Holds(ulong deliveryTag)
    {
        lock (_gate)
        {
            return _unacked.ContainsKey(deliveryTag);
        }
    }

    /// <summary>basic.qos: global=false limits each consumer started afterwards; global=true all of the session's together. 0 = no limit.</summary>
    public void SetPrefetch(ushort count, bool global)
    {
        Consumer[] consumers;
        lock (_gate)
        {
            ThrowIfClosed();
            if (global)
            {
                _globalPrefetch = count;
            }
            else
            {
                _consumerPrefetch = count;
            }
            consumers = [.. _consumers.Values];
        }
        foreach (var consumer in consumers)
        {
            consumer.Queue.Wake();
        }
    }

    /// <summary>Starts a consumer; an empty tag asks the broker for one. Returns the tag.</summary>
    public Task<string> ConsumeAsync(string queue, string consumerTag, bool noAck, bool exclusive, FieldTable? arguments, IDeliverySink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        // Consumer arguments (x-priority, x-stream-offset …) are accepted and not acted on, as RabbitMQ does with unknown ones.
        _ = arguments;
        var target = _vhost.FindQueue(queue);
        target.CheckAccess(_owner);
        var tag = string.IsNullOrEmpty(consumerTag) ? Names.GeneratedConsumerTag() : consumerTag;
        Consumer consumer;
        lock (_gate)
        {
            ThrowIfClosed();
            if (_consumers.ContainsKey(tag))
            {
                throw new BrokerException(ReplyCode.NotAllowed, $"attempt to reuse consumer tag '{tag}'");
            }
            consumer = new Consumer(this, target, tag, noAck, exclusive, _consumerPrefetch, sink);
            _consumers[tag] = consumer;
        }
        try
        {
            target.AddConsumer(consumer);
        }
        catch
        {
            lock (_gate)
            {
                _consumers.Remove(tag);
            }
            throw;
        }
        return Task.FromResult(tag);
    }

    /// <summary>basic.cancel: the consumer stops; its unacknowledged deliveries stay with the session. An unknown tag is no error.</summary>
    public async Task CancelAsync(string consumerTag)
    {
        Consumer? consumer;
        lock (_gate)
        {
            if (!_consumers.Remove(consumerTag, out consumer))
            {
                return;
            }
        }
        consumer.Deactivate();
        if (consumer.Queue.RemoveConsumer(consumer))
        {
            await _vhost.DeleteAutoDeletedAsync(consumer.Queue).ConfigureAwait(false);
        }
    }

    /// <summary>basic.get: the next ready message, or null when there is none.</summary>
    public ValueTask<Delivery?> GetAsync(string queue, bool noAck)
    {
        var source = _vhost.FindQueue(queue);
        source.CheckAccess(_owner);
        ThrowIfClosed();
        if (!source.TryTake(out var entry, out var remaining))
        {
            return ValueTask.FromResult<Delivery?>(null);
        }
        StoredMessage message;
        try
        {
            message = _vhost.Broker.Journal.Load(entry.Position);
        }
        catch
        {
            source.Unpick(entry);
            throw;
        }
        Delivery delivery;
        lock (_gate)
        {
            if (_closed)
            {
                source.Unpick(entry);
                throw BrokerErrors.Closed("the session");
            }
            var tag = ++_nextTag;
            if (!noAck)
            {
                _unacked[tag] = new Outstanding(source, entry, null);
            }
            delivery = source.ToDelivery(entry, message, tag, null, remaining);
        }
        Interlocked.Increment(ref _vhost.Broker.Counters.Delivered);
        if (entry.Redelivered)
        {
            Interlocked.Increment(ref _vhost.Broker.Counters.Redelivered);
        }
        if (noAck)
        {
            source.Settle([entry]);
        }
        return ValueTask.FromResult<Delivery?>(delivery);
    }

    /// <summary>Up to <paramref name="max"/> messages, waiting up to <paramref name="wait"/> for the first one (a long poll).</summary>
    public async ValueTask<IReadOnlyList<Delivery>> ReceiveAsync(string queue, int max, TimeSpan wait, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var source = _vhost.FindQueue(queue);
        var time = _vhost.Broker.Time;
        var deadline = time.GetUtcNow() + wait;
        var results = new List<Delivery>();
        // Cancellation is seen by the wait alone: a poller woken for a message takes it before it looks again.
        while (results.Count < max)
        {
            if (await GetAsync(queue, noAck: false).ConfigureAwait(false) is { } delivery)
            {
                results.Add(delivery);
                continue;
            }
            var left = deadline - time.GetUtcNow();
            if (results.Count > 0 || left <= TimeSpan.Zero || source.IsDeleted
                || !await source.WaitForMessageAsync(left, ct).ConfigureAwait(false))
            {
                break;
            }
        }
        return results;
    }

    public ValueTask DisposeAsync() => new(CloseAsync(countReturns: true));

    /// <summary>Hands a message to a consumer with the next tag; false when the consumer or session is gone.</summary>
    internal bool Deliver(Consumer consumer, MessageQueue queue, in QueueEntry entry, StoredMessage message, int remaining)
    {
        lock (_gate)
        {
            if (_closed || !consumer.Active)
            {
                return false;
            }
            var tag = ++_nextTag;
            if (!consumer.NoAck)
            {
                _unacked[tag] = new Outstanding(queue, entry, consumer);
            }
            try
            {
                // Under the lock, so that a consumer sees its tags in order.
                if (consumer.Sink is IFrameDeliverySink frames)
                {
                    frames.Deliver(new DeliveryFrame(tag, consumer.Tag, entry.Redelivered, message.Header.Exchange,
                        message.Header.RoutingKey, message.EncodedProperties, message.Body));
                }
                else
                {
                    consumer.Sink.Deliver(queue.ToDelivery(entry, message, tag, consumer.Tag, remaining));
                }
            }
            catch (Exception error)
            {
                _vhost.Broker.NoteFailure(error);
            }
        }
        Interlocked.Increment(ref _vhost.Broker.Counters.Delivered);
        if (entry.Redelivered)
        {
            Interlocked.Increment(ref _vhost.Broker.Counters.Redelivered);
        }
        if (consumer.NoAck)
        {
            queue.Settle([entry]);
        }
        return true;
    }

    /// <summary>The consumer's queue was deleted: the consumer ends and is told so (basic.cancel from the server).</summary>
    internal void OnQueueDeleted(Consumer consumer)
    {
        lock (_gate)
        {
            if (!_consumers.TryGetValue(consumer.Tag, out var current) || !ReferenceEquals(current, consumer))
            {
                return;
            }
            _consumers.Remove(consumer.Tag);
        }
        consumer.Deactivate();
        try
        {
            consumer.Sink.Cancelled(consumer.Tag);
        }
        catch (Exception error)
        {
            _vhost.Broker.NoteFailure(error);
        }
    }

    internal bool TryReserveGlobal()
    {
        while (true)
        {
            var current = Volatile.Read(ref _globalInFlight);
            var limit = Volatile.Read(ref _globalPrefetch);
            if (limit > 0 && current >= limit)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _globalInFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    internal void ReleaseGlobal() => Interlocked.Decrement(ref _globalInFlight);

    /// <summary>
    /// Ends the session: consumers stop, and every unacknowledged message goes back to its queue, redelivered.
    /// <paramref name="countReturns"/> is false when the broker itself is stopping, which is no failed delivery.
    /// </summary>
    internal async Task CloseAsync(bool countReturns)
    {
        List<Consumer> consumers;
        List<Outstanding> outstanding;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            consumers = [.. _consumers.Values];
            _consumers.Clear();
            outstanding = [.. _unacked.OrderBy(pair => pair.Key).Select(pair => pair.Value)];
            _unacked.Clear();
        }
        var autoDeleted = new List<MessageQueue>();
        foreach (var consumer in consumers)
        {
            consumer.Deactivate();
            if (consumer.Queue.RemoveConsumer(consumer))
            {
                autoDeleted.Add(consumer.Queue);
            }
        }
        foreach (var (queue, entries) in GroupByQueue(outstanding))
        {
            queue.Return(CollectionsMarshal.AsSpan(entries), countReturns);
        }
        _vhost.Forget(this);
        foreach (var queue in autoDeleted)
        {
            await _vhost.DeleteAutoDeletedAsync(queue).ConfigureAwait(false);
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw BrokerErrors.Closed("the session");
        }
    }
}
