namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// The delay before a crashed replica starts again: doubling from the first delay up to a cap,
/// spread by jitter, and back to the first delay once a run lasted long enough to count as stable.
/// </summary>
internal sealed class RestartBackoff(TimeSpan first, TimeSpan cap, TimeSpan stableAfter, double jitter, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _crashesInARow;

    public TimeSpan Next(TimeSpan lastRunLength)
    {
        if (lastRunLength >= stableAfter)
        {
            _crashesInARow = 0;
        }
        var exponent = Math.Min(_crashesInARow, 30);
        _crashesInARow++;
        var delay = Math.Min(cap.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, exponent));
        var spread = 1 + (((_random.NextDouble() * 2) - 1) * jitter);
        return TimeSpan.FromMilliseconds(Math.Min(cap.TotalMilliseconds, delay * spread));
    }
}
