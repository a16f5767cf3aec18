using Autonomy.Server.Secrets;
using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Backup;

/// <summary>
/// Puts a backup in place of a stopped project's store, all at once: the backup is checked first
/// (whole, an Autonomy backup, and its secrets' master key available here), copied beside the store,
/// then renamed over it. The store it replaces is kept as <c>config.db.before-restore</c>.
/// </summary>
public static class StoreRestore
{
    /// <summary>Restores <paramref name="backupPath"/> into the state folder; returns what it restored and where the previous store was kept (if there was one).</summary>
    public static (BackupInfo Info, string? Previous) Restore(string backupPath, string stateDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var info = StoreBackup.Read(backupPath);
        if (info.KeyFingerprint is { } needed)
        {
            CheckKey(needed, MasterKeySource.From(stateDirectory, environment));
        }
        Directory.CreateDirectory(stateDirectory);
        var database = Path.Combine(stateDirectory, "config.db");
        var incoming = database + ".restoring";
        File.Delete(incoming);
        File.Copy(backupPath, incoming);
        File.SetUnixFileMode(incoming, DurableFile.OwnerOnly);
        try
        {
            using (var restored = StoreBackup.Connect(incoming, SqliteOpenMode.ReadWrite))
            {
                StoreBackup.Execute(restored, $"DROP TABLE {StoreBackup.InfoTable}");
                StoreBackup.Execute(restored, "PRAGMA journal_mode=WAL");
            }
            using (var stream = new FileStream(incoming, FileMode.Open, FileAccess.ReadWrite))
            {
                stream.Flush(flushToDisk: true);
            }
            string? previous = null;
            if (File.Exists(database))
            {
                // Everything of the old store into its main file, so that the copy kept is whole and its WAL can go.
                using (var old = StoreBackup.Connect(database, SqliteOpenMode.ReadWrite))
                {
                    StoreBackup.Execute(old, "PRAGMA wal_checkpoint(TRUNCATE)");
                }
                previous = database + ".before-restore";
                File.Copy(database, previous, overwrite: true);
            }
            // A WAL left beside the new file would be replayed into it: none may remain.
            File.Delete(database + "-wal");
            File.Delete(database + "-shm");
            DurableFile.Rename(incoming, database);
            return (info, previous);
        }
        catch
        {
            File.Delete(incoming);
            throw;
        }
    }

    private static void CheckKey(string needed, MasterKeySource keys)
    {
        var key = keys.Read(needed);
        if (key is null)
        {
            throw new BackupException($"the backup's secrets are sealed with master key {needed}, and no master key is available here ({keys.Description} does not exist). "
                + $"Put that key there (mode 0600), or give it with {MasterKeySource.KeyVariable} or {MasterKeySource.FileVariable}; nothing was restored");
        }
        if (key.Fingerprint != needed)
        {
            throw new BackupException($"the backup's secrets are sealed with master key {needed}, but the key in {keys.Description} is {key.Fingerprint}. "
                + $"Give the key the backup was made with ({MasterKeySource.KeyVariable} or {MasterKeySource.FileVariable}); nothing was restored");
        }
    }
}
