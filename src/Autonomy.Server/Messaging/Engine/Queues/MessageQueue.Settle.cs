using System.Buffers;
using System.Runtime.InteropServices;
using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

internal sealed partial class MessageQueue
{
    /// <summary>
    /// Messages out with consumers are done with (acked, or delivered without ack): they leave the queue, a settle
    /// record says so for recovery, and their segments are released.
    /// </summary>
    public void Settle(ReadOnlySpan<QueueEntry> entries)
    {
        bool deleted;
        lock (_gate)
        {
            deleted = _deleted;
            foreach (ref readonly var entry in entries)
            {
                _unacked--;
                _unackedBytes -= entry.BodySize;
                Unhold(entry);
            }
        }
        if (!deleted)
        {
            WriteSettlements(entries);
        }
        foreach (ref readonly var entry in entries)
        {
            Journal.Cache.Remove(entry.Position);
        }
    }

    /// <summary>
    /// Deliveries come back (nack or reject with requeue, a consumer or session gone, recover). Each is marked
    /// redelivered; when <paramref name="counted"/> its return count goes up, and past x-delivery-limit it is
    /// dead-lettered instead; with retry backoff (or an explicit delay) it waits before it is ready again.
    /// </summary>
    public void Return(ReadOnlySpan<QueueEntry> entries, bool counted, long? delayMs = null)
    {
        List<QueueEntry>? exhausted = null;
        // The entries to log a return record for, as they are after the return (a rented array: nacks allocate none).
        var logged = ArrayPool<QueueEntry>.Shared.Rent(entries.Length);
        var loggedCount = 0;
        var now = Now;
        try
        {
            lock (_gate)
            {
                foreach (ref readonly var entry in entries)
                {
                    _unacked--;
                    _unackedBytes -= entry.BodySize;
                }
                if (_deleted)
                {
                    foreach (ref readonly var entry in entries)
                    {
                        Unhold(entry);
                    }
                    return;
                }
                // Pushed to the front in reverse, so that the earliest returned is delivered first.
                for (var i = entries.Length - 1; i >= 0; i--)
                {
                    var entry = entries[i];
                    entry.Flags |= EntryFlags.Redelivered;
                    if (counted)
                    {
                        entry.DeliveryCount++;
                    }
                    if (counted && Policy.DeliveryLimit is { } limit && entry.DeliveryCount > limit)
                    {
                        (exhausted ??= []).Add(entry);
                        continue;
                    }
                    var delay = delayMs ?? (counted ? Policy.BackoffFor(entry.DeliveryCount) : 0);
                    if (delay > 0)
                    {
                        entry.ReadyAt = now + delay;
                        _delayed.Add(entry);
                    }
                    else
                    {
                        entry.ReadyAt = 0;
                        _ready.PushFront(entry);
                    }
                    if (entry.Recoverable)
                    {
                        logged[loggedCount++] = entry;
                    }
                }
                OnWorkAvailable();
            }
            foreach (ref readonly var entry in logged.AsSpan(0, loggedCount))
            {
                WriteReturn(entry);
            }
        }
        finally
        {
            ArrayPool<QueueEntry>.Shared.Return(logged);
        }
        if (exhausted is not null)
        {
            exhausted.Reverse();
            Broker.DeadLetters.Send(this, exhausted, DeathReason.DeliveryLimit);
        }
    }

    /// <summary>A delivery that never reached its consumer (it went away meanwhile) goes back as it was.</summary>
    public void Unpick(in QueueEntry entry)
    {
        lock (_gate)
        {
            _unacked--;
            _unackedBytes -= entry.BodySize;
            if (_deleted)
            {
                Unhold(entry);
                return;
            }
            _ready.PushFront(entry);
            OnWorkAvailable();
        }
    }

    /// <summary>Entries out with consumers are dead-lettered (nack or reject without requeue): they stop counting as unacked.</summary>
    public void ReleaseUnacked(ReadOnlySpan<QueueEntry> entries)
    {
        lock (_gate)
        {
            foreach (ref readonly var entry in entries)
            {
                _unacked--;
                _unackedBytes -= entry.BodySize;
            }
        }
    }

    /// <summary>
    /// A dead-lettered or moved message has left: its transfer record (or a settle record, when it went nowhere) is
    /// in the log, so its segment can be released.
    /// </summary>
    public void Finish(in QueueEntry entry, bool settleRecordNeeded)
    {
        bool deleted;
        lock (_gate)
        {
            deleted = _deleted;
            Unhold(entry);
        }
        if (settleRecordNeeded && !deleted)
        {
            WriteSettlements([entry]);
        }
        Journal.Cache.Remove(entry.Position);
    }

    /// <summary>queue.purge: removes the ready and delayed messages (not those out with consumers); returns how many.</summary>
    public long Purge()
    {
        var removed = new List<QueueEntry>();
        lock (_gate)
        {
            _ready.Drain(removed.Add);
            _delayed.Drain(removed.Add);
            foreach (var entry in removed)
            {
                Unhold(entry);
            }
        }
        WriteSettlements(CollectionsMarshal.AsSpan(removed));
        return removed.Count;
    }

    /// <summary>
    /// Marks the queue deleted and empties it. Returns its message count and its consumers (to be told). A durable
    /// queue writes a deletion record per segment it had messages in, so that recovery never brings them back, even
    /// into a new queue of the same name.
    /// </summary>
    public (long Messages, List<Consumer> Consumers) Delete()
    {
        var removed = new List<QueueEntry>();
        List<Consumer> consumers;
        long[] segments;
        long messages;
        lock (_gate)
        {
            if (_deleted)
            {
                return (0, []);
            }
            _deleted = true;
            messages = _ready.Count + _delayed.Count + _unacked;
            _ready.Drain(removed.Add);
            _delayed.Drain(removed.Add);
            segments = [.. _segments.Keys];
            foreach (var entry in removed)
            {
                Unhold(entry);
            }
            consumers = [.. _consumers];
            _consumers.Clear();
            _taps = [];
            _timer?.Dispose();
            _timer = null;
            WakeWaiters();
        }
        if (Durable)
        {
            foreach (var segment in segments)
            {
                Journal.AppendInBackground(RecordWriter.QueueDelete(Vhost.Name, Name, segment), segment);
            }
        }
        foreach (var entry in removed)
        {
            Journal.Cache.Remove(entry.Position);
        }
        return (messages, consumers);
    }

    private void Unhold(in QueueEntry entry)
    {
        var segment = entry.Position.Segment;
        var left = _segments[segment] - 1;
        if (left == 0)
        {
            _segments.Remove(segment);
        }
        else
        {
            _segments[segment] = left;
        }
        Journal.Release(segment);
    }

    /// <summary>
    /// Settle records for the recoverable entries, one per segment (each refers to its segment), written through
    /// rented or stack buffers so that an ack allocates nothing.
    /// </summary>
    private void WriteSettlements(ReadOnlySpan<QueueEntry> entries)
    {
        if (!Durable)
        {
            return;
        }
        if (entries.Length == 1)
        {
            if (entries[0].Recoverable)
            {
                ReadOnlySpan<long> one = [entries[0].Position.Offset];
                WriteSettle(entries[0].Position.Segment, one);
            }
            return;
        }
        var positions = ArrayPool<LogPosition>.Shared.Rent(entries.Length);
        var offsets = ArrayPool<long>.Shared.Rent(entries.Length);
        try
        {
            var count = 0;
            foreach (ref readonly var entry in entries)
            {
                if (entry.Recoverable)
                {
                    positions[count++] = entry.Position;
                }
            }
            // Sorted by segment, then offset: each run of one segment is one record, its offsets ascending.
            var sorted = positions.AsSpan(0, count);
            sorted.Sort();
            var start = 0;
            while (start < sorted.Length)
            {
                var segment = sorted[start].Segment;
                var end = start;
                while (end < sorted.Length && sorted[end].Segment == segment)
                {
                    offsets[end - start] = sorted[end].Offset;
                    end++;
                }
                WriteSettle(segment, offsets.AsSpan(0, end - start));
                start = end;
            }
        }
        finally
        {
            ArrayPool<LogPosition>.Shared.Return(positions);
            ArrayPool<long>.Shared.Return(offsets);
        }
    }

    private void WriteSettle(long segment, ReadOnlySpan<long> offsets)
    {
        var limit = RecordWriter.SettleSizeLimit(Vhost.Name, Name, offsets.Length);
        byte[]? rented = null;
        var buffer = limit <= StackRecordLimit ? stackalloc byte[StackRecordLimit] : (rented = ArrayPool<byte>.Shared.Rent(limit));
        try
        {
            var length = RecordWriter.Settle(buffer, Vhost.Name, Name, segment, offsets);
            Journal.AppendInBackground(buffer[..length], segment);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void WriteReturn(in QueueEntry entry)
    {
        // Two names of at most 255 bytes and a few numbers: always fits the stack buffer.
        Span<byte> buffer = stackalloc byte[StackRecordLimit];
        var length = RecordWriter.Return(buffer, Vhost.Name, Name, entry.Position, entry.DeliveryCount, entry.ReadyAt, redelivered: true);
        Journal.AppendInBackground(buffer[..length], entry.Position.Segment);
    }

    /// <summary>Records up to this size are built on the stack (two 255-byte names and a few numbers fit).</summary>
    private const int StackRecordLimit = 1024;
}
