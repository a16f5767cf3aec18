namespace Autonomy.Server.Config;

/// <summary>
/// A change to a namespace that only some replicas see until it is promoted (committed for all)
/// or abandoned. Kept, with what happened to it, in the <c>.canaries</c> namespace.
/// </summary>
public sealed record CanaryRelease
{
    public required string Id { get; init; }

    public required string Namespace { get; init; }

    public required IReadOnlyList<CanaryOperation> Operations { get; init; }

    /// <summary>The replicas that see the change (ids such as web-2).</summary>
    public required IReadOnlyList<string> Replicas { get; init; }

    public bool AutoRollback { get; init; }

    /// <summary>How long after the start an unhealthy canary replica rolls the change back by itself.</summary>
    public double WindowSeconds { get; init; }

    /// <summary>active, promoted, abandoned or rolled-back.</summary>
    public string State { get; init; } = "active";

    public required DateTimeOffset Started { get; init; }

    public required string Author { get; init; }

    public DateTimeOffset? Ended { get; init; }

    /// <summary>Why it ended (who promoted or abandoned it, or which replica failed).</summary>
    public string? Reason { get; init; }

    /// <summary>The revision its promotion committed.</summary>
    public long? Revision { get; init; }

    public bool IsActive => State == "active";
}

/// <summary>One write of a canary: set (with a value) or delete.</summary>
public sealed record CanaryOperation(string Op, string Key, string? Value, string ContentType);
