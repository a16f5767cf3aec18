namespace Autonomy.Server.Runtime.Planning;

/// <summary>A host port bound on 127.0.0.1 (or the given host IP) that forwards to the service's replicas.</summary>
public sealed record PublishedPort(string HostIp, int HostPort, int Target, bool ToReplicaPort);
