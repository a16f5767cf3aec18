namespace Autonomy.Server.Store;

/// <summary>The SQLite tables behind <see cref="SqliteConfigStore"/>.</summary>
internal static class StoreSchema
{
    public const int Version = 1;

    // versions holds every version of every key (a deletion is a row without a value), so history,
    // rollback and resuming a watch are all reads of one table. revisions says when and by whom.
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
            PRIMARY KEY(ns, key, revision)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS versions_by_revision ON versions(ns, revision);
        """;
}
