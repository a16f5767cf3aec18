namespace Autonomy.Server.Registry;

/// <summary>
/// What an instance that Autonomy does not run registered itself with: where it listens, how often it promises a
/// heartbeat (<see cref="Ttl"/>), and how long the registry keeps it after the heartbeats stop (<see cref="DeregisterAfter"/>).
/// </summary>
public sealed record ExternalRegistration
{
    public required string Service { get; init; }

    public required string Id { get; init; }

    public required string Address { get; init; }

    public required int Port { get; init; }

    /// <summary>Without a heartbeat for this long the instance turns critical (out of rotation).</summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary>Without a heartbeat for this long the instance is removed; always longer than <see cref="Ttl"/>.</summary>
    public required TimeSpan DeregisterAfter { get; init; }

    public string Version { get; init; } = "";

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Who registered it (a token's actor), kept for the store.</summary>
    public string RegisteredBy { get; init; } = "";
}
