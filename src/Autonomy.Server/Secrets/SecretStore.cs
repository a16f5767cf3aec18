using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Secrets;

/// <summary>
/// The project's secrets, in the same SQLite file as its config (so that one snapshot holds both),
/// each version sealed under the master key. Writes are rare: each opens its own connection, takes
/// the write lock at once (BEGIN IMMEDIATE) and is on disk (synchronous=FULL) before it returns.
/// The server and the CLI (when the project is stopped) both use it.
/// </summary>
public sealed partial class SecretStore : IDisposable
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private MasterKey? _key;

    private SecretStore(string path, MasterKeySource keys, TimeProvider time)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        Keys = keys;
        _time = time;
        using var connection = Connect();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, SecretSchema.Create);
        // The store holds sealed secrets (and tokens and the audit log beside the config): the owner's alone.
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            File.SetUnixFileMode(file, DurableFile.OwnerOnly);
        }
    }

    /// <summary>Opens the secrets of the store in <paramref name="path"/> (creating the file and the table if needed).</summary>
    public static SecretStore Open(string path, MasterKeySource keys, TimeProvider? time = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new SecretStore(path, keys, time ?? TimeProvider.System);
    }

    /// <summary>The store of the project whose state folder is <paramref name="stateDirectory"/>.</summary>
    public static SecretStore OpenIn(string stateDirectory, IReadOnlyDictionary<string, string> environment) =>
        Open(Path.Combine(stateDirectory, "config.db"), MasterKeySource.From(stateDirectory, environment));

    public MasterKeySource Keys { get; }

    /// <summary>Raised after a secret's value changed (set, rollback or removal), with its name.</summary>
    public event Action<string>? Changed;

    public IReadOnlyList<SecretInfo> List()
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, MAX(version), COUNT(*), MIN(time), MAX(time) FROM secret_versions GROUP BY name ORDER BY name";
        using var reader = command.ExecuteReader();
        var secrets = new List<SecretInfo>();
        while (reader.Read())
        {
            secrets.Add(new SecretInfo(reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2), Time(reader.GetInt64(3)), Time(reader.GetInt64(4))));
        }
        return secrets;
    }

    public bool Exists(string name)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM secret_versions WHERE name = $name LIMIT 1";
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>The secret's versions, newest first.</summary>
    public IReadOnlyList<SecretVersionInfo> History(string name)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, time, author, key_fingerprint, restored_from FROM secret_versions WHERE name = $name ORDER BY version DESC";
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        var versions = new List<SecretVersionInfo>();
        while (reader.Read())
        {
            versions.Add(new SecretVersionInfo(reader.GetInt64(0), Time(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt64(4)));
        }
        return versions.Count > 0 ? versions : throw new UnknownSecretException(name);
    }

    /// <summary>The value of the secret's current version (or of <paramref name="version"/>), decrypted.</summary>
    public byte[] Read(string name, long? version = null)
    {
        using var connection = Connect();
        return Read(connection, name, version).Value;
    }

    /// <summary>The current version of the secret and its value; the version named, if one is.</summary>
    public (long Version, byte[] Value) ReadVersion(string name, long? version = null)
    {
        using var connection = Connect();
        return Read(connection, name, version);
    }

    /// <summary>Sets the secret (a new version), unless the value is already its current one.</summary>
    public SecretWrite Set(string name, ReadOnlySpan<byte> value, string author) => Write(name, value.ToArray(), author, restoredFrom: null);

    /// <summary>Makes the value of <paramref name="version"/> the secret's value again, as a new version.</summary>
    public SecretWrite Rollback(string name, long version, string author)
    {
        byte[] value;
        using (var connection = Connect())
        {
            value = Read(connection, name, version).Value;
        }
        return Write(name, value, author, restoredFrom: version);
    }

    /// <summary>Removes the secret with every version of it.</summary>
    public void Remove(string name)
    {
        lock (_gate)
        {
            using var connection = Connect();
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM secret_versions WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            if (command.ExecuteNonQuery() == 0)
            {
                throw new UnknownSecretException(name);
            }
        }
        Changed?.Invoke(name);
    }

    /// <summary>The fingerprint of the key the secrets are encrypted with; null when there are none.</summary>
    public string? KeyFingerprint()
    {
        using var connection = Connect();
        return StoreFingerprint(connection);
    }

    /// <summary>Why the secrets cannot be read now (no key, the wrong key), or null when they can.</summary>
    public string? KeyProblem()
    {
        try
        {
            using var connection = Connect();
            if (StoreFingerprint(connection) is not null)
            {
                Key(connection, create: false);
            }
            return null;
        }
        catch (MasterKeyException e)
        {
            return e.Message;
        }
    }

    private SecretWrite Write(string name, byte[] value, string author, long? restoredFrom)
    {
        if (SecretNames.Check(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }
        if (value.Length > SecretNames.MaxValueBytes)
        {
            throw new ArgumentException($"a secret's value may be at most {SecretNames.MaxValueBytes} bytes", nameof(value));
        }
        SecretWrite result;
        lock (_gate)
        {
            using var connection = Connect();
            using var transaction = connection.BeginTransaction(deferred: false);
            var key = Key(connection, create: true);
            var current = CurrentVersion(connection, name);
            if (current > 0 && Read(connection, name, current).Value.AsSpan().SequenceEqual(value))
            {
                return new SecretWrite(name, current, Changed: false);
            }
            var version = current + 1;
            var (nonce, sealedValue) = SecretCipher.Encrypt(key, name, version, value);
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO secret_versions(name, version, nonce, sealed, key_fingerprint, time, author, restored_from)
                VALUES ($name, $version, $nonce, $sealed, $fingerprint, $time, $author, $restoredFrom)
                """;
            insert.Parameters.AddWithValue("$name", name);
            insert.Parameters.AddWithValue("$version", version);
            insert.Parameters.AddWithValue("$nonce", nonce);
            insert.Parameters.AddWithValue("$sealed", sealedValue);
            insert.Parameters.AddWithValue("$fingerprint", key.Fingerprint);
            insert.Parameters.AddWithValue("$time", _time.GetUtcNow().ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$author", author);
            insert.Parameters.AddWithValue("$restoredFrom", restoredFrom is { } from ? from : DBNull.Value);
            insert.ExecuteNonQuery();
            transaction.Commit();
            result = new SecretWrite(name, version, Changed: true);
        }
        Changed?.Invoke(name);
        return result;
    }

    private (long Version, byte[] Value) Read(SqliteConnection connection, string name, long? version)
    {
        using var command = connection.CreateCommand();
        command.CommandText = version is null
            ? "SELECT version, nonce, sealed, key_fingerprint FROM secret_versions WHERE name = $name ORDER BY version DESC LIMIT 1"
            : "SELECT version, nonce, sealed, key_fingerprint FROM secret_versions WHERE name = $name AND version = $version";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$version", version ?? 0);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw version is { } v && Exists(name) ? new UnknownSecretException(name, v) : new UnknownSecretException(name);
        }
        var found = reader.GetInt64(0);
        var nonce = (byte[])reader.GetValue(1);
        var sealedValue = (byte[])reader.GetValue(2);
        var fingerprint = reader.GetString(3);
        var key = Key(connection, create: false);
        if (key.Fingerprint != fingerprint)
        {
            throw new MasterKeyException(Mismatch(fingerprint, key));
        }
        return (found, SecretCipher.Decrypt(key, name, found, nonce, sealedValue));
    }

    private static long CurrentVersion(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(version) FROM secret_versions WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() is long version ? version : 0;
    }

    /// <summary>
    /// The master key, checked against the one the store's secrets are sealed with. Made (in its
    /// state file) only for a write to a store that has no secrets yet.
    /// </summary>
    private MasterKey Key(SqliteConnection connection, bool create)
    {
        var stored = StoreFingerprint(connection);
        var key = _key;
        if (key is null || (stored is not null && key.Fingerprint != stored))
        {
            key = create && stored is null ? Keys.ReadOrCreate(stored) : Keys.Read(stored);
            if (key is null)
            {
                throw new MasterKeyException($"no master key: the secrets are sealed with master key {stored}, and {Keys.Description} does not exist. "
                    + $"Put that key there (mode 0600), or give it with {MasterKeySource.KeyVariable} or {MasterKeySource.FileVariable}");
            }
        }
        if (stored is not null && key.Fingerprint != stored)
        {
            throw new MasterKeyException(Mismatch(stored, key));
        }
        _key = key;
        return key;
    }

    private string Mismatch(string stored, MasterKey given) =>
        $"the secrets are sealed with master key {stored}, but the key in {Keys.Description} is {given.Fingerprint}. "
        + $"Give the right key ({MasterKeySource.KeyVariable}, {MasterKeySource.FileVariable} or the state folder's {MasterKeySource.StateFileName}); "
        + "if it is lost, the secrets cannot be recovered: remove them with 'autonomy secrets rm NAME' and set them again";

    private static string? StoreFingerprint(SqliteConnection connection)
    {
        var fingerprints = SecretSchema.SealingKeys(connection);
        return fingerprints.Count switch
        {
            0 => null,
            1 => fingerprints[0],
            _ => throw new MasterKeyException($"the secrets are sealed with more than one master key ({string.Join(", ", fingerprints)}); the store was altered outside Autonomy"),
        };
    }

    /// <summary>
    /// Closes the pooled connections, so that the last one to close folds the write-ahead log back into
    /// the store file (SQLite does that only when no connection is left open).
    /// </summary>
    public void Dispose() => SqliteConnection.ClearPool(new SqliteConnection(_connectionString));

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // Per connection, not stored in the file: a commit is on disk when it returns.
        Execute(connection, "PRAGMA synchronous=FULL;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
}
