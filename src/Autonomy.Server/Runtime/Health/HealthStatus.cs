namespace Autonomy.Server.Runtime.Health;

public enum HealthStatus
{
    /// <summary>The service has no health check: a running replica counts as ready.</summary>
    None,
    Starting,
    Healthy,
    Unhealthy,
}
