namespace Autonomy.Server.Registry;

/// <summary>Whether an instance should get traffic; named as the JSON says them ("passing", "starting", "critical").</summary>
public enum RegistryHealth
{
    /// <summary>Healthy (or running without a health check): in rotation.</summary>
    Passing,

    /// <summary>Started, not yet healthy: out of rotation, and not counted as failed.</summary>
    Starting,

    /// <summary>Unhealthy, not running, or an external instance that missed its TTL: out of rotation.</summary>
    Critical,
}
