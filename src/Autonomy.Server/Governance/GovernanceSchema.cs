namespace Autonomy.Server.Governance;

/// <summary>The tables of tokens and of the audit log, in the store's database (created when the store opens).</summary>
internal static class GovernanceSchema
{
    // tokens keeps the SHA-256 of each made token, never the token. audit is append-only: each
    // entry's hash covers the previous entry's hash and its own fields (see AuditChain), so that an
    // entry edited, removed or moved breaks the chain where it was. It has no index on time: a write
    // would pay for it, and entries are written in time order, so AuditLog finds a time by seq.
    public const string Create = """
        CREATE TABLE IF NOT EXISTS tokens(
            id TEXT PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            name TEXT,
            created INTEGER NOT NULL,
            expires INTEGER,
            revoked INTEGER,
            last_used INTEGER);
        CREATE TABLE IF NOT EXISTS audit(
            seq INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            outcome TEXT NOT NULL,
            prev_hash BLOB NOT NULL,
            hash BLOB NOT NULL);
        """;
}
