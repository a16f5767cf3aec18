namespace Autonomy.Server.Compose.Model;

/// <summary>A port the service listens on (<see cref="Target"/>) and, when published, the host port or range in front of it.</summary>
public sealed record PortMapping(int Target, string? Published, string? HostIp, string Protocol, string Mode);
