using Autonomy.Server.Store;

namespace Autonomy.Server.Config;

/// <summary>
/// The config center: the store plus what is built from it (a namespace for every service and a
/// shared one, rollback of a key or a namespace, diffs between revisions), and the pruning of
/// history by the retention policy, once an hour.
/// </summary>
public sealed class ConfigCenter : IAsyncDisposable
{
    public const string Shared = "shared";

    private readonly Timer _retention;

    public ConfigCenter(IConfigStore store)
    {
        Store = store;
        _retention = new Timer(_ => _ = PruneAsync(), null, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
    }

    public IConfigStore Store { get; }

    /// <summary>The config center of a project, its store in the state folder.</summary>
    public static ConfigCenter Open(string stateDirectory) => new(SqliteConfigStore.Open(Path.Combine(stateDirectory, "config.db")));

    /// <summary>Creates the shared namespace and one per service, where they do not exist yet.</summary>
    public async Task EnsureNamespacesAsync(IEnumerable<string> services, CancellationToken ct = default)
    {
        foreach (var name in services.Prepend(Shared).Distinct(StringComparer.Ordinal))
        {
            await Store.CreateNamespaceAsync(name, "autonomy", ct);
        }
    }

    /// <summary>Sets the key back to its value just after <paramref name="revision"/> (deleting it if it did not exist then), as a new version.</summary>
    public async Task<CommitResult> RollbackKeyAsync(string ns, string key, long revision, string author, CancellationToken ct = default)
    {
        var then = Store.At(ns, revision).GetValueOrDefault(key);
        var operation = then is null ? StoreOperation.Delete(key) : StoreOperation.Put(key, then.Value, then.ContentType);
        return await Store.CommitAsync(new StoreTransaction(ns, [operation], author), ct);
    }

    /// <summary>Sets the whole namespace back to how it was just after <paramref name="revision"/>, as one new revision.</summary>
    public async Task<CommitResult> RollbackNamespaceAsync(string ns, long revision, string author, CancellationToken ct = default)
    {
        var operations = Diff(ns, Store.Revision, revision).Select(d => d.After is null ? StoreOperation.Delete(d.Key) : StoreOperation.Put(d.Key, d.After, d.AfterContentType!)).ToList();
        return await Store.CommitAsync(new StoreTransaction(ns, operations, author), ct);
    }

    /// <summary>What differs between the namespace at <paramref name="from"/> and at <paramref name="to"/>, by key.</summary>
    public IReadOnlyList<ConfigDifference> Diff(string ns, long from, long to)
    {
        var before = Snapshot(ns, from);
        var after = Snapshot(ns, to);
        return [.. before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(key => new ConfigDifference(key, before.GetValueOrDefault(key)?.Value, after.GetValueOrDefault(key)?.Value, after.GetValueOrDefault(key)?.ContentType))
            .Where(d => d.Before != d.After || (d.After is not null && before[d.Key].ContentType != d.AfterContentType))];
    }

    private IReadOnlyDictionary<string, StoredEntry> Snapshot(string ns, long revision) =>
        revision >= Store.Revision ? Store.List(ns).ToDictionary(e => e.Key, StringComparer.Ordinal) : Store.At(ns, revision);

    private async Task PruneAsync()
    {
        if (Store is SqliteConfigStore sqlite)
        {
            try
            {
                await sqlite.ApplyRetentionAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException)
            {
                // Pruning is housekeeping: the next hour tries again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _retention.DisposeAsync();
        await Store.DisposeAsync();
    }
}

/// <summary>One key that differs between two revisions; a null side means the key did not exist there.</summary>
public sealed record ConfigDifference(string Key, string? Before, string? After, string? AfterContentType);
