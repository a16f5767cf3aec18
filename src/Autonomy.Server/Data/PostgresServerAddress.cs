using System.Globalization;

namespace Autonomy.Server.Data;

/// <summary>One host of a PostgreSQL server or cluster.</summary>
public sealed record PostgresHost(string Host, int Port)
{
    /// <summary><c>host:port</c>, with an IPv6 address in brackets as URLs write it.</summary>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>
/// An external PostgreSQL server or cluster as <c>x-autonomy.database</c> names it:
/// <c>postgres://ADMIN@HOST:PORT[,HOST2:PORT2...]</c>. The admin's password is never part of it (it
/// would be printed by <c>convert</c> and kept in the compose file): it comes from PGPASSWORD or ~/.pgpass.
/// </summary>
public sealed record PostgresServerAddress(string Admin, IReadOnlyList<PostgresHost> Hosts)
{
    public const int DefaultPort = 5432;

    /// <summary>The address without secrets, as messages and <c>db ls</c> show it.</summary>
    public override string ToString() => $"postgres://{Admin}@{string.Join(",", Hosts)}";

    public string HostList => string.Join(",", Hosts);

    /// <summary>Reads <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong and how to write it.</summary>
    public static bool TryParse(string text, out PostgresServerAddress? address, out string? error)
    {
        address = null;
        error = null;
        var scheme = text.StartsWith("postgres://", StringComparison.Ordinal) ? "postgres://"
            : text.StartsWith("postgresql://", StringComparison.Ordinal) ? "postgresql://" : null;
        if (scheme is null)
        {
            error = $"'{text}' is not a postgres:// URL";
            return false;
        }
        var rest = text[scheme.Length..];
        var end = rest.IndexOfAny(['/', '?']);
        if (end >= 0 && rest[end..].Trim('/').Length > 0)
        {
            error = $"'{text}' names a database or options after the hosts; Autonomy makes one database per service itself";
            return false;
        }
        var authority = end >= 0 ? rest[..end] : rest;
        var at = authority.LastIndexOf('@');
        if (at <= 0)
        {
            error = $"'{text}' does not name the admin role that creates each service's role and database";
            return false;
        }
        var admin = Uri.UnescapeDataString(authority[..at]);
        if (admin.Contains(':', StringComparison.Ordinal))
        {
            error = "the URL carries the admin's password, which does not belong in the compose file (convert prints it, and it is shared with the file)";
            return false;
        }
        var hosts = new List<PostgresHost>();
        foreach (var part in authority[(at + 1)..].Split(','))
        {
            if (ParseHost(part) is not { } host)
            {
                error = $"'{part}' in '{text}' is not HOST or HOST:PORT (a port is a number from 1 to 65535)";
                return false;
            }
            hosts.Add(host);
        }
        address = new PostgresServerAddress(admin, hosts);
        return true;
    }

    private static PostgresHost? ParseHost(string text)
    {
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }
            host = text[1..close];
            var after = text[(close + 1)..];
            if (after.Length > 0)
            {
                if (!after.StartsWith(':'))
                {
                    return null;
                }
                port = after[1..];
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
        }
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is '/' or '@'))
        {
            return null;
        }
        if (port is null)
        {
            return new PostgresHost(host, DefaultPort);
        }
        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536
            ? new PostgresHost(host, number) : null;
    }
}
