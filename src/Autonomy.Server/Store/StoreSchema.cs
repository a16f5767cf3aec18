namespace Autonomy.Server.Store;

/// <summary>The SQLite tables behind <see cref="SqliteConfigStore"/>.</summary>
internal static class StoreSchema
{
    // versions holds every version of every key (a deletion is a row without a value) with when and
    // by whom, so history, rollback and resuming a watch are all reads of one table, and a write is
    // one row. revisions records who made each namespace (and, in stores made before versions carried
    // time and author, every change; see Upgrade).
    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta(
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS namespaces(
            name TEXT PRIMARY KEY,
            revision INTEGER NOT NULL, -- when it was made; its last change is the newest of its versions
            created_revision INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS revisions(
            revision INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            author TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS versions(
            ns TEXT NOT NULL,
            key TEXT NOT NULL,
            revision INTEGER NOT NULL,
            value TEXT,
            content_type TEXT NOT NULL,
            create_revision INTEGER NOT NULL,
            version INTEGER NOT NULL,
            time INTEGER NOT NULL DEFAULT 0,
            author TEXT NOT NULL DEFAULT '',
            PRIMARY KEY(ns, key, revision)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS versions_by_revision ON versions(ns, revision);
        """;

    /// <summary>Gives a store made before versions carried their time and author those columns, filled from revisions.</summary>
    public const string Upgrade = """
        ALTER TABLE versions ADD COLUMN time INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE versions ADD COLUMN author TEXT NOT NULL DEFAULT '';
        UPDATE versions SET
            time = COALESCE((SELECT r.time FROM revisions r WHERE r.revision = versions.revision), 0),
            author = COALESCE((SELECT r.author FROM revisions r WHERE r.revision = versions.revision), '');
        """;
}
