using Npgsql;

namespace Autonomy.Server.Data.Postgres;

/// <summary>The connection strings and URLs of one server's hosts: the admin's, and each service's own.</summary>
internal static class PostgresConnections
{
    /// <summary>Connecting gives up after this; an unreachable host is an error in seconds, not minutes.</summary>
    public const int TimeoutSeconds = 5;

    public static string ConnectionString(IReadOnlyList<PostgresHost> hosts, string user, string? password, string database, bool pooling = true,
        int? maxPoolSize = null, int? timeoutSeconds = null)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = string.Join(",", hosts.Select(h => h.ToString())),
            Database = database,
            Username = user,
            Timeout = timeoutSeconds ?? TimeoutSeconds,
            Pooling = pooling,
        };
        if (timeoutSeconds is { } seconds)
        {
            builder.CommandTimeout = seconds;
            builder.CancellationTimeout = seconds * 1000;
        }
        if (maxPoolSize is { } size)
        {
            builder.MaxPoolSize = size;
        }
        if (password is not null)
        {
            builder.Password = password;
        }
        if (hosts.Count > 1)
        {
            builder.TargetSessionAttributes = "read-write";
        }
        return builder.ConnectionString;
    }

    /// <summary>The URL form libpq, psycopg, node-postgres and most ORMs read; several hosts route to the primary. Without a password for tools given PGPASSWORD.</summary>
    public static string Url(IReadOnlyList<PostgresHost> hosts, string user, string? password, string database) =>
        $"postgres://{Uri.EscapeDataString(user)}{(password is null ? "" : ":" + Uri.EscapeDataString(password))}@{string.Join(",", hosts.Select(h => h.ToString()))}/{Uri.EscapeDataString(database)}"
        + (hosts.Count > 1 ? "?target_session_attrs=read-write" : "");
}
