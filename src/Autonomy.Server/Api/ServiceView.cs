using Autonomy.Server.Runtime.Health;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Api;

/// <summary>
/// A service in the API and in <c>ps --format json</c>: scripts rely on this shape. <c>runs</c> is there only for a service an
/// image's stand-in runs; <c>database</c> only for one with a PostgreSQL database (its nodes, and whether one is a primary).
/// </summary>
public sealed record ServiceView(string Name, string State, string Health, int Port, IReadOnlyList<ReplicaView> Replicas,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Runs = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] Data.Health.DatabaseHealth? Database = null)
{
    public static ServiceView From(ServiceStatus s)
    {
        var replicas = s.Replicas.Select(ReplicaView.From).ToList();
        var state = replicas.Count == 0 ? s.Stage switch { ServiceStage.Waiting => "waiting", ServiceStage.SettingUp => "setting up", _ => "stopped" }
            : replicas.Any(r => r.State == "running") ? "running"
            : replicas.Any(r => r.State == "restarting") ? "restarting"
            : replicas.Any(r => r.State == "waiting") ? "starting"
            : replicas[0].State;
        var health = s.Replicas.Count == 0 || s.Replicas.All(r => r.Health == HealthStatus.None) ? "none"
            : s.Replicas.Any(r => r.Health == HealthStatus.Unhealthy) ? "unhealthy"
            : s.Replicas.All(r => r.Health == HealthStatus.Healthy) ? "healthy" : "starting";
        return new ServiceView(s.Name, state, health, s.Port, replicas, s.Runs, s.Database);
    }
}

/// <summary>
/// One replica; <c>cpuPercent</c> (of one core, over the last few seconds) and <c>memoryBytes</c> (resident) count its whole
/// process group, and are null while it has no process or has not been sampled yet.
/// </summary>
public sealed record ReplicaView(string Id, int? Pid, int Port, string State, string Health, int Restarts, double? Uptime, int? ExitCode, string? LastCheck,
    double? CpuPercent, long? MemoryBytes)
{
    public static ReplicaView From(ReplicaStatus r) => new(
        r.Id, r.Pid, r.Port, r.Draining && r.State == ReplicaState.Running ? "draining" : r.State.ToString().ToLowerInvariant(), r.Health.ToString().ToLowerInvariant(), r.Restarts,
        r.State == ReplicaState.Running && r.StartedAt is { } started ? Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 1) : null,
        r.ExitCode, r.LastCheck, r.CpuPercent, r.MemoryBytes);
}
