namespace Autonomy.Server.Secrets;

/// <summary>The secrets' table in the project's store (config.db), created beside the config center's when the store opens.</summary>
internal static class SecretSchema
{
    // One row per version of a secret: its value sealed with AES-256-GCM (ciphertext then tag), the
    // nonce it was sealed with, and the fingerprint of the master key that sealed it, so that a wrong
    // key is named before anything is decrypted. A rollback is a new version that records which
    // version's value it restored. Nothing in this table is a value in clear.
    public const string Create = """
        CREATE TABLE IF NOT EXISTS secret_versions(
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            nonce BLOB NOT NULL,
            sealed BLOB NOT NULL,
            key_fingerprint TEXT NOT NULL,
            time INTEGER NOT NULL,
            author TEXT NOT NULL,
            restored_from INTEGER,
            PRIMARY KEY(name, version)) WITHOUT ROWID;
        """;

    /// <summary>
    /// The fingerprints of the master keys the stored versions are sealed with: none, one, or (in a
    /// store altered outside Autonomy) two, which is enough to say so.
    /// </summary>
    public static List<string> SealingKeys(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT key_fingerprint FROM secret_versions LIMIT 2";
        using var reader = command.ExecuteReader();
        var fingerprints = new List<string>();
        while (reader.Read())
        {
            fingerprints.Add(reader.GetString(0));
        }
        return fingerprints;
    }
}
