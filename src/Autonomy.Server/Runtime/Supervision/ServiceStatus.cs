namespace Autonomy.Server.Runtime.Supervision;

/// <summary>A service as <c>ps</c> shows it: its stable port and its replicas.</summary>
public sealed record ServiceStatus(string Name, int Port, IReadOnlyList<ReplicaStatus> Replicas);
