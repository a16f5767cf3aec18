namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// A service as <c>ps</c> shows it: its stable port and its replicas; while it has none yet, the
/// stage it is in before they start. <paramref name="Runs"/> says what stands in for an image
/// (Autonomy's managed PostgreSQL for the postgres image), null for a service that runs its own command.
/// <paramref name="Database"/> is the health of the nodes behind its PostgreSQL database, if it has one.
/// </summary>
public sealed record ServiceStatus(string Name, int Port, IReadOnlyList<ReplicaStatus> Replicas, ServiceStage Stage = ServiceStage.Started, string? Runs = null,
    Data.Health.DatabaseHealth? Database = null);

/// <summary>Where a service is on its way up.</summary>
public enum ServiceStage
{
    /// <summary>Waiting for the services it depends on to meet their conditions.</summary>
    Waiting,

    /// <summary>Running its <c>x-autonomy.setup</c> command.</summary>
    SettingUp,

    /// <summary>Its replicas have been started (or it was scaled to zero after).</summary>
    Started,
}
