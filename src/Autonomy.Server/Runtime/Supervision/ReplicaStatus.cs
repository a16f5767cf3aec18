using Autonomy.Server.Runtime.Health;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// A replica as <c>ps</c> shows it; <paramref name="Draining"/> while a rolling restart takes it out (ps says "draining").
/// <paramref name="CpuPercent"/> and <paramref name="MemoryBytes"/> are those of its process group as last sampled, null
/// while it has no process or before its first sample.
/// </summary>
public sealed record ReplicaStatus(
    string Id,
    int? Pid,
    int Port,
    ReplicaState State,
    HealthStatus Health,
    int Restarts,
    DateTimeOffset? StartedAt,
    int? ExitCode,
    string? LastCheck,
    bool Draining = false,
    double? CpuPercent = null,
    long? MemoryBytes = null);
