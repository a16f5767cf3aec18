namespace Autonomy.Server.Store;

/// <summary>A key's current value. <see cref="Version"/> counts the writes since the key was (re)created, as etcd's does.</summary>
public sealed record StoredEntry(string Key, string Value, string ContentType, long Revision, long CreateRevision, long Version);

/// <summary>One version in a key's history; a deletion has no value.</summary>
public sealed record KeyVersion(string Key, long Revision, string? Value, string ContentType, DateTimeOffset Time, string Author)
{
    public bool Deleted => Value is null;
}

/// <summary>A committed change of one key, as watchers receive it.</summary>
public sealed record ChangeEvent(string Namespace, string Key, long Revision, string? Value, string ContentType, DateTimeOffset Time, string Author)
{
    public bool Deleted => Value is null;
}

/// <summary>A namespace and the revision of its last change.</summary>
public sealed record NamespaceInfo(string Name, long Revision, int Keys);

public enum StoreOperationKind
{
    Put,
    Delete,
}

/// <summary>A write within a transaction. A delete of a key that does not exist changes nothing.</summary>
public sealed record StoreOperation(StoreOperationKind Kind, string Key, string? Value = null, string ContentType = StoreOperation.PlainText)
{
    public const string PlainText = "text/plain";

    public static StoreOperation Put(string key, string value, string contentType = PlainText) => new(StoreOperationKind.Put, key, value, contentType);

    public static StoreOperation Delete(string key) => new(StoreOperationKind.Delete, key);
}

/// <summary>
/// A condition of a transaction: the key's last-modified revision must be <see cref="Revision"/>
/// (0: the key must not exist). Without a key, the namespace's revision is compared.
/// </summary>
public sealed record StoreCompare(string? Key, long Revision);

/// <summary>Writes to one namespace that land together, as one revision, or not at all.</summary>
public sealed record StoreTransaction(string Namespace, IReadOnlyList<StoreOperation> Operations, string Author)
{
    public IReadOnlyList<StoreCompare> Compares { get; init; } = [];

    /// <summary>The call this write makes, for the audit log: committed in the same transaction when the write succeeds, not at all when its compares fail.</summary>
    public Governance.AuditRecord? Audit { get; init; }
}

/// <summary>
/// What a commit did: its revision (the store's current one when it changed nothing), or the
/// compare that failed with the revision found instead.
/// </summary>
public sealed record CommitResult(bool Succeeded, long Revision, StoreCompare? FailedCompare = null, long? FoundRevision = null)
{
    public bool Changed { get; init; }
}
