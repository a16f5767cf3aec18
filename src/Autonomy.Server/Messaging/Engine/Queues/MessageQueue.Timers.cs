namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Time in a queue: delayed messages becoming ready, messages expiring at the head (x-message-ttl, expiration),
/// the queue itself expiring when unused (x-expires). One timer per queue, set to the earliest of these.
/// </summary>
internal sealed partial class MessageQueue
{
    private ITimer? _timer;
    private long _timerDue = long.MaxValue;
    private long _lastUsed;
    private bool _hadConsumer;
    private bool _stopped;

    /// <summary>The queue was used (declared, consumed from, polled): its x-expires clock starts again.</summary>
    public void Touch()
    {
        lock (_gate)
        {
            _lastUsed = Now;
        }
    }

    /// <summary>Starts the queue's clock after recovery or declaration.</summary>
    public void Start()
    {
        lock (_gate)
        {
            RescheduleTimer();
            if (_consumers.Count > 0)
            {
                OnWorkAvailable();
            }
        }
    }

    /// <summary>The broker is stopping: the queue's clock stops with it.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            _timer?.Dispose();
            _timer = null;
            _timerDue = long.MaxValue;
        }
    }

    private void PromoteDue(long now)
    {
        while (_delayed.TryTakeDue(now, out var entry))
        {
            entry.ReadyAt = 0;
            _ready.PushBack(entry);
        }
    }

    /// <summary>Sets the timer to the next moment something happens by itself (called under the lock).</summary>
    private void RescheduleTimer()
    {
        if (_deleted || _stopped)
        {
            return;
        }
        var due = _delayed.NextReadyAt;
        if (_ready.Count > 0)
        {
            var expiry = _ready.Head().ExpiresAt;
            // Expired means strictly past the expiry time, so the timer aims one millisecond after it.
            due = Math.Min(due, expiry == long.MaxValue ? long.MaxValue : expiry + 1);
        }
        if (Policy.Expires is { } expires && _consumers.Count == 0)
        {
            due = Math.Min(due, _lastUsed + expires);
        }
        if (due == _timerDue)
        {
            return;
        }
        _timerDue = due;
        if (due == long.MaxValue)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        // Never zero: a timer firing inside Change would re-enter this lock mid-update.
        var wait = TimeSpan.FromMilliseconds(Math.Max(1, due - Now));
        if (_timer is null)
        {
            _timer = Broker.Time.CreateTimer(static state => ((MessageQueue)state!).OnTimer(), this, wait, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        List<QueueEntry>? expired = null;
        var expire = false;
        lock (_gate)
        {
            if (_deleted || _stopped)
            {
                return;
            }
            _timerDue = long.MaxValue;
            var now = Now;
            PromoteDue(now);
            while (_ready.Count > 0 && _ready.Head().ExpiresAt < now)
            {
                Interlocked.Increment(ref Broker.Counters.Expired);
                (expired ??= []).Add(_ready.PopHead());
            }
            expire = Policy.Expires is { } expires && _consumers.Count == 0 && _lastUsed + expires <= now;
            if (!expire)
            {
                OnWorkAvailable();
            }
        }
        if (expired is not null)
        {
            Broker.DeadLetters.Send(this, expired, DeathReason.Expired);
        }
        if (expire)
        {
            Vhost.DeleteInBackground(this);
        }
    }
}
