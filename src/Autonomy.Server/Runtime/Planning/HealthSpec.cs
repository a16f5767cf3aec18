namespace Autonomy.Server.Runtime.Planning;

public enum HealthProbeKind
{
    /// <summary>A compose <c>healthcheck.test</c>: a command run in the replica's environment.</summary>
    Command,
    /// <summary><c>x-autonomy.healthcheck.http</c>: a GET on the replica's port; 2xx and 3xx are healthy.</summary>
    Http,
    /// <summary><c>x-autonomy.healthcheck.tcp</c>: a connection to the replica's port.</summary>
    Tcp,
}

/// <summary>What to probe and when, with the spec's timing.</summary>
public sealed record HealthSpec(
    HealthProbeKind Kind,
    IReadOnlyList<string> Command,
    string? HttpPath,
    TimeSpan Interval,
    TimeSpan Timeout,
    int Retries,
    TimeSpan StartPeriod,
    TimeSpan StartInterval);
