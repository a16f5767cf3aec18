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
}
