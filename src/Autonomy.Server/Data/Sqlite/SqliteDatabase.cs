using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Data.Sqlite;

/// <summary>
/// A service's SQLite file, <c>&lt;state&gt;/data/&lt;name&gt;.db</c>, readable by its owner only, in WAL mode
/// (so that readers do not wait for the writer, and replicas of one service can share it).
/// </summary>
internal static class SqliteDatabase
{
    public static string PathFor(string dataDirectory, string name) => Path.Combine(dataDirectory, name + ".db");

    public static DatabaseAccess Access(string path) =>
        new("sqlite:///" + path, new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString);

    /// <summary>Makes the file if it is missing and runs the init scripts not run yet.</summary>
    public static async Task ProvisionAsync(string path, string? initFolder, Action<string> log, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!File.Exists(path))
        {
            // Made empty with the owner-only mode first: SQLite would create it with the umask's.
            using (new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Secrets.DurableFile.OwnerOnly }))
            {
            }
            await using var connection = Open(path);
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL";
            await wal.ExecuteNonQueryAsync(ct);
        }
        if (initFolder is not null)
        {
            await using var connection = Open(path);
            await InitScripts.ApplyAsync(connection, initFolder, log, ct);
        }
    }

    /// <summary>A consistent copy of the live file, through SQLite's online backup API, while the service keeps writing.</summary>
    public static void Backup(string path, string destination)
    {
        using var source = Open(path);
        using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ConnectionString);
        target.Open();
        source.BackupDatabase(target);
    }

    /// <summary>Replaces the live database's content with <paramref name="backup"/>'s, through the backup API (the service may stay connected).</summary>
    public static void Restore(string backup, string path)
    {
        using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = backup, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        source.Open();
        using (var check = source.CreateCommand())
        {
            check.CommandText = "PRAGMA quick_check";
            try
            {
                if (check.ExecuteScalar() as string != "ok")
                {
                    throw new DatabaseException("the file is a damaged SQLite database; nothing was restored");
                }
            }
            catch (SqliteException e)
            {
                throw new DatabaseException($"the file is not a SQLite database ({e.Message}); nothing was restored", e);
            }
        }
        using var target = Open(path);
        source.BackupDatabase(target);
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ConnectionString);
        connection.Open();
        return connection;
    }
}
