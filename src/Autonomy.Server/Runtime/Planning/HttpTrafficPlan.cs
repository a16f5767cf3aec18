namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// How the gateway carries a service's HTTP traffic (<c>x-autonomy</c>: protocol, load_balancing, retries, ejection,
/// routes). A service whose protocol is tcp keeps TCP forwarding and has no routes.
/// </summary>
public sealed record HttpTrafficPlan
{
    /// <summary>True when the service speaks HTTP: its published ports and stable port are served by the gateway.</summary>
    public bool IsHttp { get; init; }

    /// <summary>round_robin, least_requests or power_of_two.</summary>
    public string LoadBalancing { get; init; } = "round_robin";

    /// <summary>Extra attempts on another replica for idempotent methods.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Failed requests in a row that take a replica out of rotation.</summary>
    public int EjectionFailures { get; init; } = 5;

    /// <summary>How long an ejected replica stays out the first time; doubled while it keeps failing.</summary>
    public TimeSpan EjectionBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<RoutePlan> Routes { get; init; } = [];

    /// <summary>A service nothing was said about and that has no HTTP health check: TCP forwarding.</summary>
    public static HttpTrafficPlan Tcp { get; } = new();
}
