using System.Net.Sockets;
using Npgsql;

namespace Autonomy.Server.Data.Postgres;

/// <summary>
/// What went wrong talking to a server, in words that say what to check: the host and port that
/// could not be reached, an admin whose password was refused or missing. Never a password.
/// </summary>
internal static class PostgresErrors
{
    public static DatabaseException Explain(Exception e, string server, string hosts, string user, string passwordSource)
    {
        var postgres = e as PostgresException ?? e.InnerException as PostgresException;
        if (postgres is not null)
        {
            return postgres.SqlState switch
            {
                "28P01" => new DatabaseException($"the PostgreSQL server {server} refused the password of '{user}' (wrong password). {passwordSource}", e),
                "28000" => new DatabaseException($"the PostgreSQL server {server} does not let '{user}' in from here ({postgres.MessageText}): check its pg_hba.conf for a host line that allows this address", e),
                "3D000" => new DatabaseException($"the PostgreSQL server {server} has no database {postgres.MessageText.Split('"').ElementAtOrDefault(1)}: {postgres.MessageText}", e),
                "42501" => new DatabaseException($"'{user}' may not do this on the PostgreSQL server {server}: {postgres.MessageText}. The admin role needs CREATEROLE and CREATEDB (or to be a superuser)", e),
                _ => new DatabaseException($"the PostgreSQL server {server} answered: {postgres.MessageText} ({postgres.SqlState})", e),
            };
        }
        if (e is NpgsqlException && e.Message.Contains("No password has been provided", StringComparison.Ordinal))
        {
            return new DatabaseException($"the PostgreSQL server {server} asks '{user}' for a password, and none was given. {passwordSource}", e);
        }
        if (Find<SocketException>(e) is { } socket)
        {
            var why = socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData => "no such host",
                SocketError.TimedOut => "timed out",
                _ => socket.Message,
            };
            return Unreachable(server, hosts, why, e);
        }
        if (e is TimeoutException || e.InnerException is TimeoutException || (e is NpgsqlException && e.Message.Contains("Timeout", StringComparison.OrdinalIgnoreCase)))
        {
            return Unreachable(server, hosts, $"no answer within {PostgresConnections.TimeoutSeconds} s", e);
        }
        return new DatabaseException($"the PostgreSQL server {server} failed: {e.Message}", e);
    }

    private static DatabaseException Unreachable(string server, string hosts, string why, Exception e) =>
        new($"cannot reach the PostgreSQL server {server} at {hosts} ({why}): check that it runs and listens on that address and port "
            + "(listen_addresses and port in postgresql.conf), and that no firewall is in between", e);

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }
        return null;
    }
}
