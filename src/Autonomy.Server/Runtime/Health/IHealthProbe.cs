namespace Autonomy.Server.Runtime.Health;

/// <summary>One way of asking a replica whether it is healthy; the monitor applies the timeout.</summary>
internal interface IHealthProbe
{
    Task<ProbeResult> ProbeAsync(CancellationToken ct);
}
