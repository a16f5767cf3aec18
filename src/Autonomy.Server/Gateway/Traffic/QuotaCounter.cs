namespace Autonomy.Server.Gateway.Traffic;

/// <summary>
/// An API key's use of its quota in the current period. The store holds how many requests of the
/// period were reserved; requests are let through in memory until they reach that figure, and the next
/// block is written (and on disk) before any request beyond it is. After a crash the key starts again
/// from the stored figure: it may lose the unused rest of one block, it can never exceed its quota.
/// </summary>
internal sealed class QuotaCounter(KeyQuota quota, Func<string, long, Task> reserve)
{
    private readonly Lock _gate = new();
    // One reservation at a time: requests arriving meanwhile wait for it rather than each writing a block.
    private readonly SemaphoreSlim _reserving = new(1, 1);
    private string _period = "";
    private long _used;
    private long _reserved;

    public KeyQuota Quota { get; } = quota;

    /// <summary>Takes up the period as the store left it: everything reserved counts as used.</summary>
    public void Restore(string period, long reserved)
    {
        lock (_gate)
        {
            (_period, _used, _reserved) = (period, reserved, reserved);
        }
    }

    /// <summary>The period <paramref name="now"/> is in and the requests let through in it.</summary>
    public (string Period, long Used) Use(DateTimeOffset now)
    {
        lock (_gate)
        {
            Roll(now);
            return (_period, _used);
        }
    }

    /// <summary>True when one more request fits in the quota (it is then counted); false when the quota is spent.</summary>
    public async ValueTask<bool> TryTakeAsync(DateTimeOffset now, CancellationToken ct)
    {
        while (true)
        {
            lock (_gate)
            {
                Roll(now);
                if (_used >= Quota.Limit)
                {
                    return false;
                }
                if (_used < _reserved)
                {
                    _used++;
                    return true;
                }
            }
            await _reserving.WaitAsync(ct);
            try
            {
                string period;
                long target;
                lock (_gate)
                {
                    if (_used < _reserved || _used >= Quota.Limit)
                    {
                        continue;
                    }
                    period = _period;
                    target = Math.Min(Quota.Limit, _reserved + Quota.Block);
                }
                await reserve(period, target);
                lock (_gate)
                {
                    if (_period == period && target > _reserved)
                    {
                        _reserved = target;
                    }
                }
            }
            finally
            {
                _reserving.Release();
            }
        }
    }

    // A new period starts from nothing; a clock set back does not start an old period again.
    private void Roll(DateTimeOffset now)
    {
        var period = Quota.PeriodOf(now);
        if (string.CompareOrdinal(period, _period) > 0)
        {
            (_period, _used, _reserved) = (period, 0, 0);
        }
    }
}
