using System.Globalization;
using Autonomy.Server.Secrets;
using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Backup;

/// <summary>
/// A backup of a project's store (config and its history, secrets still sealed, tokens, audit): one
/// consistent snapshot taken while writers go on (SQLite's <c>VACUUM INTO</c> reads in one
/// transaction), written as a self-contained SQLite file of mode 0600 with a table that says what it
/// is, including the fingerprint of the master key its secrets need. The key itself is never in it.
/// </summary>
public static class StoreBackup
{
    internal const string InfoTable = "autonomy_backup";
    private const string Format = "autonomy-backup/1";

    /// <summary>Writes a snapshot of the store <paramref name="databasePath"/> to <paramref name="outputPath"/> (atomically: a crash leaves the old file or the whole new one).</summary>
    public static BackupInfo Write(string databasePath, string outputPath, string project, TimeProvider? time = null)
    {
        if (!File.Exists(databasePath))
        {
            throw new BackupException($"there is nothing to back up: {databasePath} does not exist (the project has never run, and no secret was set)");
        }
        var output = Path.GetFullPath(outputPath);
        // VACUUM INTO needs an empty file or none; an empty one made first has the mode a backup should have.
        var temporary = DurableFile.WriteBeside(output, [], DurableFile.OwnerOnly);
        try
        {
            using (var source = Connect(databasePath, SqliteOpenMode.ReadWrite))
            {
                using var vacuum = source.CreateCommand();
                vacuum.CommandText = "VACUUM INTO $path";
                vacuum.Parameters.AddWithValue("$path", temporary);
                vacuum.ExecuteNonQuery();
            }
            var info = new BackupInfo(project, (time ?? TimeProvider.System).GetUtcNow(), null);
            using (var snapshot = Connect(temporary, SqliteOpenMode.ReadWrite))
            {
                // One file, no journal beside it: the snapshot is what is copied around.
                Execute(snapshot, "PRAGMA journal_mode=DELETE");
                info = info with { KeyFingerprint = KeyFingerprint(snapshot) };
                Execute(snapshot, $"CREATE TABLE {InfoTable}(name TEXT PRIMARY KEY, value TEXT NOT NULL)");
                using var insert = snapshot.CreateCommand();
                insert.CommandText = $"INSERT INTO {InfoTable}(name, value) VALUES ('format', $format), ('project', $project), ('created', $created), ('key_fingerprint', $key)";
                insert.Parameters.AddWithValue("$format", Format);
                insert.Parameters.AddWithValue("$project", project);
                insert.Parameters.AddWithValue("$created", info.Created.ToString("O", CultureInfo.InvariantCulture));
                insert.Parameters.AddWithValue("$key", info.KeyFingerprint ?? "");
                insert.ExecuteNonQuery();
            }
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
            {
                stream.Flush(flushToDisk: true);
            }
            DurableFile.Rename(temporary, output);
            return info;
        }
        catch (SqliteException e)
        {
            File.Delete(temporary);
            throw new BackupException($"the store could not be copied: {e.Message}");
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>What a backup file holds, after checking that it is whole and is an Autonomy backup.</summary>
    public static BackupInfo Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new BackupException($"{path} does not exist");
        }
        try
        {
            using var snapshot = Connect(path, SqliteOpenMode.ReadOnly);
            using (var check = snapshot.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check";
                if (check.ExecuteScalar() as string != "ok")
                {
                    throw new BackupException($"{path} is damaged (SQLite's quick_check fails); restore another backup");
                }
            }
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var command = snapshot.CreateCommand())
            {
                command.CommandText = $"SELECT name, value FROM {InfoTable}";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    values[reader.GetString(0)] = reader.GetString(1);
                }
            }
            if (values.GetValueOrDefault("format") != Format)
            {
                throw new BackupException($"{path} is a backup of a format this version does not know ({values.GetValueOrDefault("format")})");
            }
            var fingerprint = values.GetValueOrDefault("key_fingerprint") is { Length: > 0 } f ? f : null;
            if (KeyFingerprint(snapshot) != fingerprint)
            {
                throw new BackupException($"{path} says its secrets are sealed with master key {fingerprint ?? "(none)"}, but they are not: the file was altered");
            }
            return new BackupInfo(values.GetValueOrDefault("project") ?? "", DateTimeOffset.Parse(values.GetValueOrDefault("created") ?? "", CultureInfo.InvariantCulture), fingerprint);
        }
        catch (SqliteException e)
        {
            throw new BackupException($"{path} is not an Autonomy backup ({e.Message.TrimEnd('.')}); make one with 'autonomy backup -o FILE'");
        }
        catch (FormatException)
        {
            throw new BackupException($"{path} has a damaged description (its creation time does not read)");
        }
    }

    /// <summary>The master key the secrets in <paramref name="connection"/>'s database are sealed with (null: none).</summary>
    private static string? KeyFingerprint(SqliteConnection connection)
    {
        using var table = connection.CreateCommand();
        table.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'secret_versions'";
        if (table.ExecuteScalar() is null)
        {
            return null;
        }
        var fingerprints = Secrets.SecretSchema.SealingKeys(connection);
        return fingerprints.Count switch
        {
            0 => null,
            1 => fingerprints[0],
            _ => throw new BackupException($"the store's secrets are sealed with more than one master key ({string.Join(", ", fingerprints)}); it was altered outside Autonomy"),
        };
    }

    internal static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        // Not pooled: these files are copied, renamed and deleted right after.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        return connection;
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
