namespace Autonomy.Server.Gateway.Traffic;

/// <summary>
/// A route's <c>rate_limit</c>: <see cref="Limit"/> requests per <see cref="Window"/> for each
/// <see cref="Per"/>. For a token bucket, <see cref="Limit"/> is the bucket's size and
/// <see cref="TokensPerPeriod"/> tokens come back every <see cref="Window"/>. A record, so that a
/// reload can tell an unchanged policy (whose limiter keeps its state) from a changed one.
/// </summary>
public sealed record RateLimitPolicy(RateLimitAlgorithm Algorithm, int Limit, TimeSpan Window, RateLimitScope Per)
{
    /// <summary>Sliding window only: how many segments the window slides by.</summary>
    public int Segments { get; init; } = 1;

    /// <summary>Token bucket only: tokens added each window (default: the whole bucket).</summary>
    public int TokensPerPeriod { get; init; }

    /// <summary>Requests that may wait for a permit instead of being refused at once (default none).</summary>
    public int Queue { get; init; }
}
