namespace Autonomy.Server.Store;

/// <summary>
/// How much history is kept: a version is pruned only when it is older than <see cref="MaxAge"/>
/// and not among the newest <see cref="MinVersions"/> of its key. A key's current value is never pruned.
/// </summary>
public sealed record RetentionPolicy(TimeSpan MaxAge, int MinVersions)
{
    public static RetentionPolicy Default { get; } = new(TimeSpan.FromDays(30), 50);
}

/// <summary>The revision asked for is older than the history still kept.</summary>
public sealed class RevisionCompactedException(long revision, long compacted)
    : Exception($"revision {revision} is older than the history kept (versions up to revision {compacted} were pruned)")
{
    public long Revision { get; } = revision;

    public long Compacted { get; } = compacted;
}
