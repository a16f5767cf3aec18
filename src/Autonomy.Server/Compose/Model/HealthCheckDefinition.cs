namespace Autonomy.Server.Compose.Model;

/// <summary>A compose health check with the Dockerfile's defaults filled in.</summary>
public sealed record HealthCheckDefinition
{
    /// <summary>["CMD", prog, args…], ["CMD-SHELL", command] or ["NONE"]; empty when only timings were given.</summary>
    public IReadOnlyList<string> Test { get; init; } = [];

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public int Retries { get; init; } = 3;

    public TimeSpan StartPeriod { get; init; } = TimeSpan.Zero;

    public TimeSpan StartInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>disable: true</c> or a test of NONE.</summary>
    public bool Disabled { get; init; }
}
