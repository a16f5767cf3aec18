using System.Threading.RateLimiting;

namespace Autonomy.Server.Gateway.Traffic;

/// <summary>
/// One route's rate limit: a partitioned limiter with a partition per client address, per API key,
/// or one for the whole route. The partitioned limiter replenishes every partition from one timer and
/// disposes of a partition idle for a while (about ten seconds), so clients that come once and go
/// leave nothing behind.
/// </summary>
internal sealed class RouteLimiter : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public RouteLimiter(RateLimitPolicy policy)
    {
        Policy = policy;
        _limiter = PartitionedRateLimiter.Create<string, string>(partition => policy.Algorithm switch
        {
            RateLimitAlgorithm.SlidingWindow => RateLimitPartition.GetSlidingWindowLimiter(partition, _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = policy.Limit,
                Window = policy.Window,
                SegmentsPerWindow = policy.Segments,
                QueueLimit = policy.Queue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }),
            RateLimitAlgorithm.TokenBucket => RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = policy.Limit,
                TokensPerPeriod = policy.TokensPerPeriod,
                ReplenishmentPeriod = policy.Window,
                QueueLimit = policy.Queue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }),
            _ => RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = policy.Limit,
                Window = policy.Window,
                QueueLimit = policy.Queue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }),
        });
    }

    public RateLimitPolicy Policy { get; }

    /// <summary>
    /// A permit for one request of <paramref name="partition"/>: at once, or (with a queue) when one
    /// frees up. A refusal carries how long to wait: the lease's own figure, else what the policy implies.
    /// </summary>
    public async ValueTask<(bool Admitted, TimeSpan RetryAfter)> AcquireAsync(string partition, CancellationToken ct)
    {
        using var lease = Policy.Queue == 0 ? _limiter.AttemptAcquire(partition) : await _limiter.AcquireAsync(partition, 1, ct);
        if (lease.IsAcquired)
        {
            return (true, TimeSpan.Zero);
        }
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero
            ? retryAfter
            : Policy.Algorithm == RateLimitAlgorithm.SlidingWindow ? Policy.Window / Policy.Segments : Policy.Window;
        return (false, wait);
    }

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
