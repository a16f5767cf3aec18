using System.Runtime.InteropServices;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Acks, nacks and recovers. Settling is on every message's path, so it allocates nothing per message: one tag is
/// settled as itself, many through scratch lists the session reuses. Several queues in one settlement, dead
/// letters and closing are rare and kept simple.
/// </summary>
public sealed partial class Session
{
    // Scratch lists for settling many tags at once. Taken while in use, so that a concurrent settlement, or one made
    // from inside a delivery this one set off (a sink acking as it receives), builds its own instead of sharing.
    private Scratch? _scratch;

    public void Ack(ulong deliveryTag, bool multiple)
    {
        if (!multiple)
        {
            var one = CollectOne(deliveryTag);
            var entry = one.Entry;
            one.Queue.Settle(new ReadOnlySpan<QueueEntry>(in entry));
            Interlocked.Increment(ref _vhost.Broker.Counters.Acknowledged);
            UnreserveOne(one);
            return;
        }
        var scratch = TakeScratch();
        try
        {
            CollectMany(deliveryTag, scratch, allowEmpty: false);
            ForEachQueue(scratch, 0, static (queue, entries, _) => queue.Settle(entries));
            Interlocked.Add(ref _vhost.Broker.Counters.Acknowledged, scratch.Outstanding.Count);
            Unreserve(scratch);
        }
        finally
        {
            GiveBack(scratch);
        }
    }

    /// <summary>Rejects deliveries; requeued ones come back after <paramref name="delay"/> when one is given, else dead-lettered.</summary>
    public void Nack(ulong deliveryTag, bool multiple, bool requeue, TimeSpan? delay = null)
    {
        if (delay is { } d && d < TimeSpan.Zero)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, $"a negative delay ({d.TotalMilliseconds} ms) for delivery tag {deliveryTag}");
        }
        long? delayMs = delay is { } wait ? (long)wait.TotalMilliseconds : null;
        if (!multiple)
        {
            var one = CollectOne(deliveryTag);
            var entry = one.Entry;
            Refuse(one.Queue, new ReadOnlySpan<QueueEntry>(in entry), requeue, delayMs);
            UnreserveOne(one);
            return;
        }
        var scratch = TakeScratch();
        try
        {
            CollectMany(deliveryTag, scratch, allowEmpty: false);
            ForEachQueue(scratch, (Session: this, Requeue: requeue, DelayMs: delayMs),
                static (queue, entries, state) => state.Session.Refuse(queue, entries, state.Requeue, state.DelayMs));
            Unreserve(scratch);
        }
        finally
        {
            GiveBack(scratch);
        }
    }

    public void Reject(ulong deliveryTag, bool requeue) => Nack(deliveryTag, multiple: false, requeue);

    /// <summary>basic.recover: every unacknowledged message goes back to its queue (requeue=false is not supported, as in RabbitMQ).</summary>
    public void Recover(bool requeue)
    {
        if (!requeue)
        {
            throw new BrokerException(ReplyCode.NotImplemented, "requeue=false");
        }
        var scratch = TakeScratch();
        try
        {
            CollectReturnable(scratch);
            foreach (var (queue, entries) in GroupByQueue(scratch.Outstanding))
            {
                queue.Return(CollectionsMarshal.AsSpan(entries), counted: true);
            }
            Unreserve(scratch);
        }
        finally
        {
            GiveBack(scratch);
        }
    }

    /// <summary>Requeued deliveries go back to their queue; the others go to its dead letters.</summary>
    private void Refuse(MessageQueue queue, ReadOnlySpan<QueueEntry> entries, bool requeue, long? delayMs)
    {
        if (requeue)
        {
            queue.Return(entries, counted: true, delayMs);
            return;
        }
        queue.ReleaseUnacked(entries);
        // The dead letterer keeps the list until it has republished them: a copy of its own, never the scratch.
        _vhost.Broker.DeadLetters.Send(queue, [.. entries], DeathReason.Rejected);
    }

    private Outstanding CollectOne(ulong tag)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            if (!_unacked.Remove(tag, out var one))
            {
                throw BrokerErrors.UnknownDeliveryTag(tag);
            }
            return one;
        }
    }

    /// <summary>
    /// Every unacknowledged delivery except those whose sink acknowledges them itself: those may still be on their way
    /// to the socket (written after the channel settled what it had flushed), and taking them back would deliver a
    /// no-ack message twice. The lowest tag stays where it is, since tags below the ones taken may remain.
    /// </summary>
    private void CollectReturnable(Scratch scratch)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            var tags = scratch.Tags;
            foreach (var (key, outstanding) in _unacked)
            {
                if (outstanding.Consumer is not { Sink.AcksItself: true })
                {
                    tags.Add(key);
                }
            }
            tags.Sort();
            foreach (var key in tags)
            {
                _unacked.Remove(key, out var outstanding);
                scratch.Outstanding.Add(outstanding);
            }
        }
    }

    /// <summary>Takes the deliveries up to <paramref name="tag"/> (0: all of them) into the scratch, in tag order.</summary>
    private void CollectMany(ulong tag, Scratch scratch, bool allowEmpty)
    {
        var collected = scratch.Outstanding;
        lock (_gate)
        {
            ThrowIfClosed();
            if (tag != 0 && !_unacked.ContainsKey(tag))
            {
                throw BrokerErrors.UnknownDeliveryTag(tag);
            }
            var upTo = tag == 0 ? _nextTag : tag;
            if (upTo - _lowestTag > (ulong)_unacked.Count * 2)
            {
                // Few tags left over a wide range (after many single acks): look at those held, not at every number.
                var tags = scratch.Tags;
                foreach (var key in _unacked.Keys)
                {
                    if (key <= upTo)
                    {
                        tags.Add(key);
                    }
                }
                tags.Sort();
                foreach (var key in tags)
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
        }
    }

    private delegate void QueueEntriesAction<TState>(MessageQueue queue, ReadOnlySpan<QueueEntry> entries, TState state);

    /// <summary>
    /// Runs <paramref name="action"/> once per queue over the collected deliveries: on the scratch's entries when they
    /// share one queue (the usual case, no grouping), else per group. State goes in by value, so a static lambda
    /// serves every call without a closure.
    /// </summary>
    private static void ForEachQueue<TState>(Scratch scratch, TState state, QueueEntriesAction<TState> action)
    {
        if (OneQueue(scratch) is { } queue)
        {
            action(queue, CollectionsMarshal.AsSpan(scratch.Entries), state);
            return;
        }
        foreach (var (each, entries) in GroupByQueue(scratch.Outstanding))
        {
            action(each, CollectionsMarshal.AsSpan(entries), state);
        }
    }

    /// <summary>The queue of every collected delivery when they share one (the usual case), with their entries in the scratch.</summary>
    private static MessageQueue? OneQueue(Scratch scratch)
    {
        var outstanding = scratch.Outstanding;
        var queue = outstanding[0].Queue;
        foreach (var each in outstanding)
        {
            if (!ReferenceEquals(each.Queue, queue))
            {
                return null;
            }
        }
        foreach (var each in outstanding)
        {
            scratch.Entries.Add(each.Entry);
        }
        return queue;
    }

    /// <summary>Deliveries by queue, queues in the order they first appear and entries in tag order.</summary>
    private static List<(MessageQueue Queue, List<QueueEntry> Entries)> GroupByQueue(List<Outstanding> outstanding)
    {
        var groups = new List<(MessageQueue Queue, List<QueueEntry> Entries)>();
        var byQueue = new Dictionary<MessageQueue, List<QueueEntry>>(ReferenceEqualityComparer.Instance);
        foreach (var each in outstanding)
        {
            if (!byQueue.TryGetValue(each.Queue, out var entries))
            {
                byQueue[each.Queue] = entries = [];
                groups.Add((each.Queue, entries));
            }
            entries.Add(each.Entry);
        }
        return groups;
    }

    /// <summary>Gives one delivery's prefetch room back and lets its queue deliver again.</summary>
    private void UnreserveOne(in Outstanding settled)
    {
        if (settled.Consumer is not { } consumer)
        {
            return;
        }
        consumer.Unreserve();
        if (Volatile.Read(ref _globalPrefetch) > 0)
        {
            // Room under the session's global limit may let any of its consumers' queues deliver.
            var scratch = TakeScratch();
            try
            {
                scratch.Wake.Add(consumer.Queue);
                WakeAll(scratch.Wake);
            }
            finally
            {
                GiveBack(scratch);
            }
            return;
        }
        consumer.Queue.Wake();
    }

    /// <summary>Gives prefetch room back and lets the queues that may now deliver do so.</summary>
    private void Unreserve(Scratch scratch)
    {
        var wake = scratch.Wake;
        foreach (var outstanding in scratch.Outstanding)
        {
            if (outstanding.Consumer is { } consumer)
            {
                consumer.Unreserve();
                wake.Add(consumer.Queue);
            }
        }
        if (wake.Count == 0)
        {
            return;
        }
        if (Volatile.Read(ref _globalPrefetch) > 0)
        {
            WakeAll(wake);
            return;
        }
        foreach (var queue in wake)
        {
            queue.Wake();
        }
    }

    /// <summary>Wakes <paramref name="wake"/> and the queues of every consumer of the session (outside the session's lock).</summary>
    private void WakeAll(HashSet<MessageQueue> wake)
    {
        lock (_gate)
        {
            foreach (var consumer in _consumers.Values)
            {
                wake.Add(consumer.Queue);
            }
        }
        foreach (var queue in wake)
        {
            queue.Wake();
        }
    }

    private Scratch TakeScratch() => Interlocked.Exchange(ref _scratch, null) ?? new Scratch();

    private void GiveBack(Scratch scratch)
    {
        // One that grew for a large settlement (a recover of thousands) is let go rather than kept at that size.
        if (scratch.Outstanding.Capacity > Scratch.KeptCapacity || scratch.Tags.Capacity > Scratch.KeptCapacity)
        {
            return;
        }
        scratch.Clear();
        Volatile.Write(ref _scratch, scratch);
    }

    private readonly record struct Outstanding(MessageQueue Queue, QueueEntry Entry, Consumer? Consumer);

    private sealed class Scratch
    {
        public const int KeptCapacity = 4096;

        public List<Outstanding> Outstanding { get; } = [];

        public List<QueueEntry> Entries { get; } = [];

        public List<ulong> Tags { get; } = [];

        public HashSet<MessageQueue> Wake { get; } = new(ReferenceEqualityComparer.Instance);

        public void Clear()
        {
            Outstanding.Clear();
            Entries.Clear();
            Tags.Clear();
            Wake.Clear();
        }
    }
}
