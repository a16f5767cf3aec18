namespace Autonomy.Server.Registry;

/// <summary>
/// One instance of a service as discovery sees it: a replica Autonomy runs, or an external instance that registered
/// itself through the API and keeps its TTL alive.
/// </summary>
public sealed record RegistryEntry
{
    public required string Service { get; init; }

    /// <summary>Unique within the service: the replica id (<c>orders-1</c>) or the id an external instance chose.</summary>
    public required string Id { get; init; }

    public required string Address { get; init; }

    public required int Port { get; init; }

    public required RegistryHealth Health { get; init; }

    /// <summary>A hash of the replica's resolved spec (its plan), so that clients can tell old replicas from new ones.</summary>
    public string Version { get; init; } = "";

    /// <summary>The service's compose <c>labels</c>, or what an external instance registered.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>"autonomy" for replicas the supervisor runs, "external" for instances registered through the API.</summary>
    public string Source { get; init; } = RegistrySources.Autonomy;

    /// <summary>
    /// Set while the instance is being taken out (a rolling restart drains it): no new traffic, in-flight requests
    /// finish. A draining instance is never in the healthy set.
    /// </summary>
    public bool Draining { get; init; }

    /// <summary>The last health check's output, or why the instance is critical.</summary>
    public string? Output { get; init; }

    /// <summary>The registry index of this entry's last change (set by the registry).</summary>
    public long ModifyIndex { get; init; }

    /// <summary>In rotation: passing and not draining.</summary>
    public bool InRotation => Health == RegistryHealth.Passing && !Draining;

    /// <summary>Equal apart from the index: an update that changes nothing is not a change.</summary>
    public bool SameAs(RegistryEntry other) =>
        Service == other.Service && Id == other.Id && Address == other.Address && Port == other.Port && Health == other.Health
        && Version == other.Version && Source == other.Source && Draining == other.Draining && Output == other.Output
        && Metadata.Count == other.Metadata.Count && Metadata.All(m => other.Metadata.TryGetValue(m.Key, out var v) && v == m.Value);
}

public static class RegistrySources
{
    public const string Autonomy = "autonomy";
    public const string External = "external";
}
