namespace Autonomy.Server.Gateway.Traffic;

/// <summary>How a route's rate limit counts: the three limiters of System.Threading.RateLimiting.</summary>
public enum RateLimitAlgorithm
{
    FixedWindow,
    SlidingWindow,
    TokenBucket,
}
