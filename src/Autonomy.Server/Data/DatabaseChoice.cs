using Autonomy.Server.Data.Clusters;

namespace Autonomy.Server.Data;

/// <summary>Where a service's database lives.</summary>
public enum DatabaseKind
{
    /// <summary><c>x-autonomy.database: false</c>: the service gets none.</summary>
    None,

    /// <summary>One SQLite file per service (the default).</summary>
    Sqlite,

    /// <summary>Autonomy's own PostgreSQL server, run from this machine's binaries.</summary>
    ManagedPostgres,

    /// <summary>A PostgreSQL server or cluster named by URL.</summary>
    ExternalPostgres,
}

/// <summary>
/// A provider as <c>x-autonomy.database</c> names it: <c>sqlite</c>, <c>postgres</c>, or <c>postgres://ADMIN@HOST:PORT[,…]</c>;
/// or one of the clusters of <c>x-autonomy.databases</c>, with the rule that placed the service there.
/// </summary>
public sealed record DatabaseChoice(DatabaseKind Kind, PostgresServerAddress? Server = null, DatabaseCluster? Cluster = null, ClusterRule? Rule = null)
{
    /// <summary>The rule that places each service on one of the named clusters by its name.</summary>
    public const string Hash = "hash";

    public static DatabaseChoice OnCluster(DatabaseCluster cluster, ClusterRule rule) => new(DatabaseKind.ExternalPostgres, cluster.Address, cluster, rule);

    public static DatabaseChoice Sqlite { get; } = new(DatabaseKind.Sqlite);

    public static DatabaseChoice None { get; } = new(DatabaseKind.None);

    public const string Forms = "sqlite, postgres (a server Autonomy runs), postgres://ADMIN@HOST:PORT[,HOST2:PORT2...] (a server of yours) or false (no database)";

    public static bool TryParse(string text, out DatabaseChoice? choice, out string? error)
    {
        choice = null;
        error = null;
        switch (text)
        {
            case "sqlite":
                choice = Sqlite;
                return true;
            case "postgres" or "postgresql":
                choice = new DatabaseChoice(DatabaseKind.ManagedPostgres);
                return true;
            case "false":
                choice = None;
                return true;
        }
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!PostgresServerAddress.TryParse(text, out var address, out error))
            {
                return false;
            }
            choice = new DatabaseChoice(DatabaseKind.ExternalPostgres, address);
            return true;
        }
        error = $"'{text}' is not a database provider";
        return false;
    }

    /// <summary>How <c>db ls</c> and messages name it.</summary>
    public override string ToString() => Kind switch
    {
        DatabaseKind.Sqlite => "sqlite",
        DatabaseKind.ManagedPostgres => "postgres (managed)",
        DatabaseKind.ExternalPostgres => Cluster is { } cluster ? $"cluster '{cluster.Name}' ({Server})" : Server!.ToString(),
        _ => "none",
    };
}
