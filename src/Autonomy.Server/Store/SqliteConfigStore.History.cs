using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Store;

public sealed partial class SqliteConfigStore
{
    public IReadOnlyList<KeyVersion> History(string ns, string key, int limit = 100)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT v.revision, v.value, v.content_type, v.time, v.author
            FROM versions v
            WHERE v.ns = $ns AND v.key = $key
            ORDER BY v.revision DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var versions = new List<KeyVersion>();
        while (reader.Read())
        {
            versions.Add(new KeyVersion(key, reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetString(4)));
        }
        return versions;
    }

    public IReadOnlyList<ChangeEvent> NamespaceHistory(string ns, int limit = 100)
    {
        if (!_namespaces.ContainsKey(ns))
        {
            throw new UnknownNamespaceException(ns);
        }
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT v.key, v.revision, v.value, v.content_type, v.time, v.author
            FROM versions v
            WHERE v.ns = $ns
            ORDER BY v.revision DESC, v.key LIMIT $limit
            """;
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var changes = new List<ChangeEvent>();
        while (reader.Read())
        {
            changes.Add(new ChangeEvent(ns, reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetString(5)));
        }
        return changes;
    }

    public IReadOnlyDictionary<string, StoredEntry> At(string ns, long revision)
    {
        if (!_namespaces.ContainsKey(ns))
        {
            throw new UnknownNamespaceException(ns);
        }
        var compacted = Volatile.Read(ref _compacted);
        if (revision < compacted)
        {
            throw new RevisionCompactedException(revision, compacted);
        }
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        // Each key's newest version at or before the revision, when that version is not a deletion.
        command.CommandText = """
            SELECT v.key, v.value, v.content_type, v.revision, v.create_revision, v.version
            FROM versions v
            WHERE v.ns = $ns AND v.value IS NOT NULL
              AND v.revision = (SELECT MAX(revision) FROM versions w WHERE w.ns = v.ns AND w.key = v.key AND w.revision <= $revision)
            ORDER BY v.key
            """;
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$revision", revision);
        using var reader = command.ExecuteReader();
        var entries = new SortedDictionary<string, StoredEntry>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var entry = new StoredEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
            entries[entry.Key] = entry;
        }
        return entries;
    }

    /// <summary>
    /// Prunes history by the retention policy; returns how many versions went. The namespace as it
    /// was at a revision stays answerable from <c>compacted</c> on: the newest revision right after
    /// a pruned version.
    /// </summary>
    public Task<int> ApplyRetentionAsync() => OnWriterAsync(connection =>
    {
        var cutoff = _time.GetUtcNow() - _retention.MaxAge;
        using var transaction = connection.BeginTransaction();
        var pruned = new List<(string Ns, string Key, long Revision)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = """
                SELECT ns, key, revision FROM (
                    SELECT v.ns, v.key, v.revision, v.time,
                           ROW_NUMBER() OVER (PARTITION BY v.ns, v.key ORDER BY v.revision DESC) AS newest
                    FROM versions v)
                WHERE newest > $keep AND time < $cutoff
                """;
            select.Parameters.AddWithValue("$keep", Math.Max(1, _retention.MinVersions));
            select.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                pruned.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }
        if (pruned.Count == 0)
        {
            return 0;
        }
        var compacted = Volatile.Read(ref _compacted);
        foreach (var (ns, key, revision) in pruned)
        {
            Run(connection, "DELETE FROM versions WHERE ns = $ns AND key = $key AND revision = $revision", ("$ns", ns), ("$key", key), ("$revision", revision));
        }
        foreach (var (ns, key) in pruned.Select(p => (p.Ns, p.Key)).Distinct())
        {
            using var next = connection.CreateCommand();
            next.CommandText = "SELECT MIN(revision) FROM versions WHERE ns = $ns AND key = $key";
            next.Parameters.AddWithValue("$ns", ns);
            next.Parameters.AddWithValue("$key", key);
            compacted = Math.Max(compacted, next.ExecuteScalar() as long? ?? compacted);
        }
        Run(connection, "INSERT INTO meta(name, value) VALUES ('compacted', $value) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            ("$value", compacted.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        transaction.Commit();
        Volatile.Write(ref _compacted, compacted);
        return pruned.Count;
    });

    private static void Run(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        SqliteStatements.Run(connection, sql, parameters);
}
