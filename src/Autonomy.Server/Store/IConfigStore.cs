namespace Autonomy.Server.Store;

/// <summary>
/// The config center's storage: namespaces of keys with one global revision that every change
/// increases (as etcd's does), per-key history, atomic transactions with compare-and-set, and
/// watches that resume from a revision. Kept this narrow so that an etcd backend can implement it.
/// </summary>
public interface IConfigStore : IAsyncDisposable
{
    /// <summary>The revision of the last committed change anywhere.</summary>
    long Revision { get; }

    IReadOnlyList<NamespaceInfo> Namespaces();

    NamespaceInfo? Namespace(string name);

    /// <summary>Creates the namespace if it does not exist; durable when the task completes.</summary>
    Task<long> CreateNamespaceAsync(string name, string author, CancellationToken ct = default);

    StoredEntry? Get(string ns, string key);

    /// <summary>The namespace's keys in ordinal order, only those starting with <paramref name="prefix"/> if given.</summary>
    IReadOnlyList<StoredEntry> List(string ns, string? prefix = null);

    /// <summary>Applies the transaction atomically; durable (fsynced) when the task completes.</summary>
    Task<CommitResult> CommitAsync(StoreTransaction transaction, CancellationToken ct = default);

    /// <summary>The key's versions, newest first.</summary>
    IReadOnlyList<KeyVersion> History(string ns, string key, int limit = 100);

    /// <summary>The namespace's changes, newest first (each key's change a line; one revision may have several).</summary>
    IReadOnlyList<ChangeEvent> NamespaceHistory(string ns, int limit = 100);

    /// <summary>The namespace as it was just after <paramref name="revision"/>.</summary>
    IReadOnlyDictionary<string, StoredEntry> At(string ns, long revision);

    /// <summary>
    /// Every change to the namespace after <paramref name="afterRevision"/>, then each new one as it
    /// commits; a revision at a time (a transaction may change several keys), never one missed.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<ChangeEvent>> WatchAsync(string ns, long afterRevision, CancellationToken ct);

    /// <summary>Waits until the namespace's revision passes <paramref name="afterRevision"/> or the timeout ends; returns its revision.</summary>
    Task<long> WaitAsync(string ns, long afterRevision, TimeSpan timeout, CancellationToken ct = default);
}
