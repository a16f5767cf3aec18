using Autonomy.Server.Runtime.Health;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>A replica as <c>ps</c> shows it.</summary>
public sealed record ReplicaStatus(
    string Id,
    int? Pid,
    int Port,
    ReplicaState State,
    HealthStatus Health,
    int Restarts,
    DateTimeOffset? StartedAt,
    int? ExitCode,
    string? LastCheck);
