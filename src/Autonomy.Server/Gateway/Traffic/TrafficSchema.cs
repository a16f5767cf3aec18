namespace Autonomy.Server.Gateway.Traffic;

/// <summary>The tables of API keys and of their quota use, in the store's database.</summary>
internal static class TrafficSchema
{
    // api_keys keeps the SHA-256 of each key, never the key. api_key_usage holds, per key and period,
    // how many requests were reserved: never fewer than were let through (see QuotaCounter).
    public const string Create = """
        CREATE TABLE IF NOT EXISTS api_keys(
            id TEXT PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            name TEXT,
            routes TEXT NOT NULL,
            quota INTEGER,
            quota_period TEXT,
            created INTEGER NOT NULL,
            revoked INTEGER);
        CREATE TABLE IF NOT EXISTS api_key_usage(
            key_id TEXT NOT NULL,
            period TEXT NOT NULL,
            reserved INTEGER NOT NULL,
            PRIMARY KEY(key_id, period)) WITHOUT ROWID;
        """;
}
