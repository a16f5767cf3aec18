namespace Autonomy.Server.Gateway.Traffic;

/// <summary>Whose requests share one limit (<c>rate_limit.per</c>).</summary>
public enum RateLimitScope
{
    /// <summary>Every request of the route.</summary>
    Route,

    /// <summary>Each client address.</summary>
    Client,

    /// <summary>Each API key (a request without one counts against its client address).</summary>
    Key,
}
