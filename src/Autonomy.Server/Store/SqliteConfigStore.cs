using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Store;

/// <summary>
/// The embedded config store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so that a
/// commit is on disk when it returns. Reads are served from memory (the current values of every
/// namespace); writes go through one writer that commits whatever is queued as one SQLite
/// transaction (group commit), so concurrent writers share an fsync instead of queueing for one each.
/// </summary>
public sealed partial class SqliteConfigStore : IConfigStore
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly WriterCommands _commands;
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writerLoop;
    private readonly TimeProvider _time;
    private readonly RetentionPolicy _retention;
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, NamespaceState> _namespaces;
    private long _revision;
    private long _compacted;

    private SqliteConfigStore(string path, RetentionPolicy retention, TimeProvider time)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        _time = time;
        _retention = retention;
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute(_writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        Execute(_writer, StoreSchema.Create);
        Execute(_writer, Governance.GovernanceSchema.Create);
        Execute(_writer, Messaging.Access.AccessSchema.Create);
        if (Scalar(_writer, "SELECT COUNT(*) FROM pragma_table_info('versions') WHERE name = 'author'") is 0L)
        {
            using var upgrade = _writer.BeginTransaction();
            Execute(_writer, StoreSchema.Upgrade);
            upgrade.Commit();
        }
        (_namespaces, _revision, _compacted) = Load(_writer);
        _chain = LoadChainEnd(_writer);
        _commands = new WriterCommands(_writer);
        _writerLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Opens (creating if needed) the store in <paramref name="path"/>.</summary>
    public static SqliteConfigStore Open(string path, RetentionPolicy? retention = null, TimeProvider? time = null) => OpenWith(path, retention, time);

    internal static SqliteConfigStore OpenWith(string path, RetentionPolicy? retention = null, TimeProvider? time = null, int watcherBuffer = 10_000)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new SqliteConfigStore(path, retention ?? RetentionPolicy.Default, time ?? TimeProvider.System) { WatcherBuffer = watcherBuffer };
    }

    public long Revision => Volatile.Read(ref _revision);

    public IReadOnlyList<NamespaceInfo> Namespaces() =>
        [.. _namespaces.Values.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => n.Info)];

    public NamespaceInfo? Namespace(string name) => _namespaces.TryGetValue(name, out var state) ? state.Info : null;

    public StoredEntry? Get(string ns, string key) =>
        _namespaces.TryGetValue(ns, out var state) && state.Entries.TryGetValue(key, out var entry) ? entry : null;

    public IReadOnlyList<StoredEntry> List(string ns, string? prefix = null)
    {
        if (!_namespaces.TryGetValue(ns, out var state))
        {
            throw new UnknownNamespaceException(ns);
        }
        return prefix is null or ""
            ? [.. state.Entries.Values]
            : [.. state.Entries.Values.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))];
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writerLoop;
        _commands.Dispose();
        await _writer.DisposeAsync();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    /// <summary>The journal mode and synchronous level of the connection that commits, as it runs now.</summary>
    internal Task<(string JournalMode, long Synchronous)> DurabilityAsync() => OnWriterAsync(c =>
        ((string)Scalar(c, "PRAGMA journal_mode")!, (long)Scalar(c, "PRAGMA synchronous")!));

    private static (ImmutableDictionary<string, NamespaceState>, long Revision, long Compacted) Load(SqliteConnection connection)
    {
        var revision = Scalar(connection, """
            SELECT MAX(COALESCE((SELECT MAX(revision) FROM versions), 0), COALESCE((SELECT MAX(revision) FROM namespaces), 0),
                       COALESCE((SELECT MAX(revision) FROM revisions), 0))
            """) as long? ?? 0;
        var compacted = long.TryParse(Scalar(connection, "SELECT value FROM meta WHERE name = 'compacted'") as string, out var c) ? c : 0;
        var namespaces = new Dictionary<string, (long Revision, ImmutableSortedDictionary<string, StoredEntry>.Builder Entries)>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, revision FROM namespaces";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                namespaces[reader.GetString(0)] = (reader.GetInt64(1), ImmutableSortedDictionary.CreateBuilder<string, StoredEntry>(StringComparer.Ordinal));
            }
        }
        using (var command = connection.CreateCommand())
        {
            // A namespace's revision is its newest change; the namespaces table keeps only when it was made,
            // so that a write touches one table less.
            command.CommandText = "SELECT ns, MAX(revision) FROM versions GROUP BY ns";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (namespaces.TryGetValue(reader.GetString(0), out var known) && reader.GetInt64(1) > known.Revision)
                {
                    namespaces[reader.GetString(0)] = (reader.GetInt64(1), known.Entries);
                }
            }
        }
        using (var command = connection.CreateCommand())
        {
            // Each key's newest version, when it is not a deletion.
            command.CommandText = """
                SELECT v.ns, v.key, v.value, v.content_type, v.revision, v.create_revision, v.version
                FROM versions v
                WHERE v.revision = (SELECT MAX(revision) FROM versions w WHERE w.ns = v.ns AND w.key = v.key) AND v.value IS NOT NULL
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var entry = new StoredEntry(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
                namespaces[reader.GetString(0)].Entries[entry.Key] = entry;
            }
        }
        var states = namespaces.ToImmutableDictionary(n => n.Key, n => new NamespaceState(n.Key, n.Value.Revision, n.Value.Entries.ToImmutable()), StringComparer.Ordinal);
        return (states, revision, compacted);
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>A reading connection (pooled); WAL lets it read while the writer commits.</summary>
    internal SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A namespace's current values; replaced as a whole on every change, so readers need no lock.</summary>
    private sealed record NamespaceState(string Name, long Revision, ImmutableSortedDictionary<string, StoredEntry> Entries)
    {
        public NamespaceInfo Info => new(Name, Revision, Entries.Count);
    }
}

/// <summary>The namespace does not exist.</summary>
public sealed class UnknownNamespaceException(string name) : Exception($"no config namespace '{name}'")
{
    public string Name { get; } = name;
}
