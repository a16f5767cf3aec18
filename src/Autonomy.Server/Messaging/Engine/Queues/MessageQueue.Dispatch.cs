using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>Handing ready messages to consumers, on the thread pool, one run at a time per queue.</summary>
internal sealed partial class MessageQueue : IThreadPoolWorkItem
{
    // A run hands out at most this many messages before it lets other queues have the thread.
    private const int RunBudget = 256;

    private readonly List<Consumer> _consumers = [];
    private int _nextConsumer;
    private bool _dispatchScheduled;
    private Action<Delivery>[] _taps = [];
    private List<TaskCompletionSource>? _waiters;

    public int ConsumerCount { get { lock (_gate) { return _consumers.Count; } } }

    /// <summary>Adds a consumer; an exclusive one must be alone, and none may join an exclusive one (ACCESS_REFUSED).</summary>
    public void AddConsumer(Consumer consumer)
    {
        lock (_gate)
        {
            if (_deleted)
            {
                throw BrokerErrors.NoQueue(Name, Vhost.Name);
            }
            if (_consumers.Count > 0 && (consumer.Exclusive || _consumers.Any(c => c.Exclusive)))
            {
                throw new BrokerException(ReplyCode.AccessRefused, $"queue '{Name}' in vhost '{Vhost.Name}' in exclusive use");
            }
            _consumers.Add(consumer);
            _hadConsumer = true;
            Touch();
            OnWorkAvailable();
        }
    }

    /// <summary>Removes a consumer; returns true when it was the last of an auto-delete queue (which must now go).</summary>
    public bool RemoveConsumer(Consumer consumer)
    {
        lock (_gate)
        {
            if (!_consumers.Remove(consumer))
            {
                return false;
            }
            Touch();
            RescheduleTimer();
            return AutoDelete && _hadConsumer && _consumers.Count == 0 && !_deleted;
        }
    }

    /// <summary>A consumer has room again (an ack, a cancelled prefetch): deliveries may resume.</summary>
    public void Wake()
    {
        lock (_gate)
        {
            OnWorkAvailable();
        }
    }

    public IDisposable AddTap(Action<Delivery> observer)
    {
        lock (_gate)
        {
            _taps = [.. _taps, observer];
        }
        return new TapRegistration(this, observer);
    }

    /// <summary>basic.get: takes the next ready message (counted as unacked until settled), or nothing.</summary>
    public bool TryTake(out QueueEntry entry, out int remaining)
    {
        List<QueueEntry>? expired = null;
        bool taken;
        lock (_gate)
        {
            Touch();
            PromoteDue(Now);
            taken = TryTakeReady(ref expired, out entry);
            if (taken)
            {
                _delivered++;
            }
            remaining = _ready.Count;
            RescheduleTimer();
        }
        if (expired is not null)
        {
            Broker.DeadLetters.Send(this, expired, DeathReason.Expired);
        }
        return taken;
    }

    /// <summary>The next ready messages, left in place.</summary>
    public List<QueueEntry> PeekReady(int max)
    {
        lock (_gate)
        {
            var now = Now;
            var entries = _ready.Take(max + 16);
            entries.RemoveAll(e => e.ExpiresAt < now);
            if (entries.Count > max)
            {
                entries.RemoveRange(max, entries.Count - max);
            }
            foreach (var entry in entries)
            {
                Journal.Retain(entry.Position.Segment);
            }
            return entries;
        }
    }

    /// <summary>Waits until a message may be ready (or the queue is deleted); false on timeout.</summary>
    public async Task<bool> WaitForMessageAsync(TimeSpan timeout, CancellationToken ct)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (_ready.Count > 0 || _deleted)
            {
                return true;
            }
            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (_waiters ??= []).Add(signal);
        }
        var taking = false;
        try
        {
            await signal.Task.WaitAsync(timeout, Broker.Time, ct).ConfigureAwait(false);
            taking = true;
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_gate)
            {
                _waiters?.Remove(signal);
                // Woken, but leaving (timed out or cancelled at the same moment): the wake goes to the next waiter,
                // since only as many waiters are woken as there are messages.
                if (!taking && signal.Task.IsCompleted)
                {
                    WakeWaiters();
                }
            }
        }
    }

    public void Execute()
    {
        // One run at a time per queue (the dispatch flag), so the batch list is the queue's own to reuse.
        var batch = _dispatchBatch;
        while (true)
        {
            List<QueueEntry>? expired = null;
            lock (_gate)
            {
                batch.Clear();
                if (!_deleted)
                {
                    PromoteDue(Now);
                    while (batch.Count < RunBudget && _consumers.Count > 0)
                    {
                        var consumer = NextConsumerWithRoom();
                        if (consumer is null)
                        {
                            break;
                        }
                        if (!TryTakeReady(ref expired, out var entry))
                        {
                            consumer.Unreserve();
                            break;
                        }
                        _delivered++;
                        batch.Add((entry, consumer));
                    }
                    RescheduleTimer();
                }
                if (batch.Count == 0)
                {
                    _dispatchScheduled = false;
                }
            }
            if (expired is not null)
            {
                Broker.DeadLetters.Send(this, expired, DeathReason.Expired);
            }
            if (batch.Count == 0)
            {
                return;
            }
            var remaining = ReadyCount;
            foreach (var (entry, consumer) in batch)
            {
                Hand(entry, consumer, remaining);
            }
            batch.Clear();
            if (batch.Count == RunBudget)
            {
                // Let other queues have the thread; this queue is still scheduled.
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                return;
            }
        }
    }

    private void Hand(QueueEntry entry, Consumer consumer, int remaining)
    {
        StoredMessage message;
        try
        {
            message = Journal.Load(entry.Position);
        }
        catch (Exception error) when (error is IOException or InvalidDataException or ObjectDisposedException)
        {
            // The log cannot give the message back (the disk failed, or the broker is closing): it stays queued.
            consumer.Unreserve();
            Unpick(entry);
            Broker.NoteFailure(error);
            return;
        }
        if (!consumer.Session.Deliver(consumer, this, entry, message, remaining))
        {
            consumer.Unreserve();
            Unpick(entry);
        }
    }

    /// <summary>Takes the head ready message, dead-lettering expired ones on the way (collected, sent after the lock).</summary>
    private bool TryTakeReady(ref List<QueueEntry>? expired, out QueueEntry entry)
    {
        var now = Now;
        while (_ready.Count > 0)
        {
            entry = _ready.PopHead();
            if (entry.ExpiresAt < now)
            {
                Interlocked.Increment(ref Broker.Counters.Expired);
                (expired ??= []).Add(entry);
                continue;
            }
            _unacked++;
            _unackedBytes += entry.BodySize;
            return true;
        }
        entry = default;
        return false;
    }

    private Consumer? NextConsumerWithRoom()
    {
        for (var tried = 0; tried < _consumers.Count; tried++)
        {
            _nextConsumer = (_nextConsumer + 1) % _consumers.Count;
            var consumer = _consumers[_nextConsumer];
            if (consumer.TryReserve())
            {
                return consumer;
            }
        }
        return null;
    }

    /// <summary>Something changed that may let a delivery or a waiter proceed (called under the lock).</summary>
    private void OnWorkAvailable() => OnWorkAvailable(runHere: false);

    /// <summary>
    /// As <see cref="OnWorkAvailable()"/>; with <paramref name="runHere"/> a dispatch that is due is not queued but
    /// claimed for the caller, who must call <see cref="Execute"/> once it has left the lock (true is returned then).
    /// </summary>
    private bool OnWorkAvailable(bool runHere)
    {
        if (_ready.Count > 0 || _delayed.Count > 0)
        {
            WakeWaiters();
        }
        var claimed = false;
        if (!_dispatchScheduled && _consumers.Count > 0 && (_ready.Count > 0 || _delayed.Count > 0))
        {
            _dispatchScheduled = true;
            if (runHere)
            {
                claimed = true;
            }
            else
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }
        RescheduleTimer();
        return claimed;
    }

    private void WakeWaiters()
    {
        if (_waiters is { Count: > 0 } waiters && (_ready.Count > 0 || _deleted))
        {
            // As many long polls as there are messages, oldest first: waking all of them for one message would
            // have every poller but one race for it and wait again (a thundering herd that grows with pollers).
            var wake = _deleted ? waiters.Count : (int)Math.Min(waiters.Count, _ready.Count);
            for (var i = 0; i < wake; i++)
            {
                waiters[i].TrySetResult();
            }
            waiters.RemoveRange(0, wake);
        }
    }

    private void RemoveTap(Action<Delivery> observer)
    {
        lock (_gate)
        {
            _taps = [.. _taps.Where(tap => tap != observer)];
        }
    }

    private sealed class TapRegistration(MessageQueue queue, Action<Delivery> observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                queue.RemoveTap(observer);
            }
        }
    }
}
