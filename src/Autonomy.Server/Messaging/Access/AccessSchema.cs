namespace Autonomy.Server.Messaging.Access;

/// <summary>The broker's users and their vhost permissions, in the store's database (created when the store opens).</summary>
internal static class AccessSchema
{
    // mq_users holds the users an admin made, with a salted hash of each password, never the password.
    // A service's own user is not here: it lives in memory with a password made at each start.
    // mq_permissions may name a service's user too (an admin may widen what it can do elsewhere).
    public const string Create = """
        CREATE TABLE IF NOT EXISTS mq_users(
            name TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            tags TEXT NOT NULL,
            created INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS mq_permissions(
            user TEXT NOT NULL,
            vhost TEXT NOT NULL,
            configure TEXT NOT NULL,
            write TEXT NOT NULL,
            read TEXT NOT NULL,
            PRIMARY KEY(user, vhost)) WITHOUT ROWID;
        """;
}
