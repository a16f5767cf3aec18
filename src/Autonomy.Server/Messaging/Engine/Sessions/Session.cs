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

    public void Ack(ulong deliveryTag, bool multiple)
    {
        var settled = Collect(deliveryTag, multiple);
        foreach (var group in ByQueue(settled))
        {
            group.Queue.Settle(group.Entries.ToArray());
        }
        Interlocked.Add(ref _vhost.Broker.Counters.Acknowledged, settled.Count);
        Unreserve(settled);
    }

    /// <summary>Rejects deliveries; requeued ones come back after <paramref name="delay"/> when one is given, else dead-lettered.</summary>
    public void Nack(ulong deliveryTag, bool multiple, bool requeue, TimeSpan? delay = null)
    {
        if (delay is { } d && d < TimeSpan.Zero)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, $"a negative delay ({d.TotalMilliseconds} ms) for delivery tag {deliveryTag}");
        }
        var returned = Collect(deliveryTag, multiple);
        foreach (var group in ByQueue(returned))
        {
            if (requeue)
            {
                group.Queue.Return(group.Entries, counted: true, delay is { } wait ? (long)wait.TotalMilliseconds : null);
            }
            else
            {
                group.Queue.ReleaseUnacked(group.Entries);
                _vhost.Broker.DeadLetters.Send(group.Queue, group.Entries, DeathReason.Rejected);
            }
        }
        Unreserve(returned);
    }

    public void Reject(ulong deliveryTag, bool requeue) => Nack(deliveryTag, multiple: false, requeue);

    /// <summary>basic.recover: every unacknowledged message goes back to its queue (requeue=false is not supported, as in RabbitMQ).</summary>
    public void Recover(bool requeue)
    {
        if (!requeue)
        {
            throw new BrokerException(ReplyCode.NotImplemented, "requeue=false");
        }
        var returned = Collect(0, multiple: true, allowEmpty: true);
        foreach (var group in ByQueue(returned))
        {
            group.Queue.Return(group.Entries, counted: true);
        }
        Unreserve(returned);
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
            var delivery = queue.ToDelivery(entry, message, tag, consumer.Tag, remaining);
            try
            {
                // Under the lock, so that a consumer sees its tags in order.
                consumer.Sink.Deliver(delivery);
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
        foreach (var group in ByQueue(outstanding))
        {
            group.Queue.Return(group.Entries, countReturns);
        }
        _vhost.Forget(this);
        foreach (var queue in autoDeleted)
        {
            await _vhost.DeleteAutoDeletedAsync(queue).ConfigureAwait(false);
        }
    }

    private List<Outstanding> Collect(ulong tag, bool multiple, bool allowEmpty = false)
    {
        var collected = new List<Outstanding>();
        lock (_gate)
        {
            ThrowIfClosed();
            if (!multiple)
            {
                if (!_unacked.Remove(tag, out var one))
                {
                    throw BrokerErrors.UnknownDeliveryTag(tag);
                }
                collected.Add(one);
                return collected;
            }
            if (tag != 0 && !_unacked.ContainsKey(tag))
            {
                throw BrokerErrors.UnknownDeliveryTag(tag);
            }
            var upTo = tag == 0 ? _nextTag : tag;
            if (upTo - _lowestTag > (ulong)_unacked.Count * 2)
            {
                foreach (var key in _unacked.Keys.Where(key => key <= upTo).Order().ToList())
                {
                    _unacked.Remove(key, out var outstanding);
                    collected.Add(outstanding);
                }
            }
            else
            {
                for (var key = _lowestTag; key <= upTo; key++)
                {
                    if (_unacked.Remove(key, out var outstanding))
                    {
                        collected.Add(outstanding);
                    }
                }
            }
            _lowestTag = Math.Max(_lowestTag, upTo + 1);
            if (collected.Count == 0 && !allowEmpty)
            {
                throw BrokerErrors.UnknownDeliveryTag(tag);
            }
            return collected;
        }
    }

    private static IEnumerable<(MessageQueue Queue, List<QueueEntry> Entries)> ByQueue(List<Outstanding> outstanding)
    {
        if (outstanding.Count == 0)
        {
            yield break;
        }
        if (outstanding.All(o => ReferenceEquals(o.Queue, outstanding[0].Queue)))
        {
            yield return (outstanding[0].Queue, outstanding.ConvertAll(o => o.Entry));
            yield break;
        }
        foreach (var group in outstanding.GroupBy(o => o.Queue))
        {
            yield return (group.Key, group.Select(o => o.Entry).ToList());
        }
    }

    /// <summary>Gives prefetch room back and lets the queues that may now deliver do so.</summary>
    private void Unreserve(List<Outstanding> settled)
    {
        HashSet<MessageQueue>? wake = null;
        foreach (var outstanding in settled)
        {
            if (outstanding.Consumer is { } consumer)
            {
                consumer.Unreserve();
                (wake ??= []).Add(consumer.Queue);
            }
        }
        if (wake is null)
        {
            return;
        }
        if (Volatile.Read(ref _globalPrefetch) > 0)
        {
            lock (_gate)
            {
                foreach (var consumer in _consumers.Values)
                {
                    wake.Add(consumer.Queue);
                }
            }
        }
        foreach (var queue in wake)
        {
            queue.Wake();
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw BrokerErrors.Closed("the session");
        }
    }

    private readonly record struct Outstanding(MessageQueue Queue, QueueEntry Entry, Consumer? Consumer);
}
