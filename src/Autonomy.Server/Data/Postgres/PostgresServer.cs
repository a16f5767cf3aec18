using Npgsql;

namespace Autonomy.Server.Data.Postgres;

/// <summary>
/// One PostgreSQL server (or cluster, by several hosts) as its admin sees it: for each service a
/// login role with a generated password and a database it owns, which PUBLIC may not connect to,
/// so that a service's credentials open its own database and no other. Every step checks first,
/// so that a second <c>up</c> changes nothing and costs one query per service.
/// </summary>
internal sealed class PostgresServer(string display, IReadOnlyList<PostgresHost> hosts, string admin, string? adminPassword, string passwordSource)
{
    /// <summary>Marks the roles Autonomy made, so that it never takes over a role someone else made.</summary>
    private const string RoleMark = "made by Autonomy for the service ";

    /// <summary>
    /// Admin connections at once per server. Services start together, and each new connection costs the server a
    /// process and both sides a SCRAM exchange: a few connections taken in turn check 100 services in a fraction
    /// of the time 100 connections take to open.
    /// </summary>
    private const int AdminConnections = 4;

    // CREATE DATABASE copies template1; one at a time per server keeps concurrent first ups from tripping over each other.
    private readonly SemaphoreSlim _creating = new(1, 1);
    private readonly SemaphoreSlim _admin = new(AdminConnections, AdminConnections);

    public string Display { get; } = display;

    public IReadOnlyList<PostgresHost> Hosts { get; } = hosts;

    public string HostList => string.Join(",", Hosts);

    /// <summary>The admin's connection to one node alone, whatever its role, for health checks.</summary>
    public string NodeConnectionString(PostgresHost host, int timeoutSeconds) =>
        PostgresConnections.ConnectionString([host], admin, adminPassword, "postgres", maxPoolSize: 1, timeoutSeconds: timeoutSeconds);

    public DatabaseAccess Access(string name, string password) =>
        new(PostgresConnections.Url(Hosts, name, password, name), PostgresConnections.ConnectionString(Hosts, name, password, name));

    /// <summary>Makes what is missing of the service's role and database; returns the password its role has.</summary>
    public async Task<string> ProvisionAsync(DatabasePlan plan, IDatabasePasswords passwords, CancellationToken ct)
    {
        await _admin.WaitAsync(ct);
        try
        {
            return await ProvisionOneAsync(plan, passwords, ct);
        }
        finally
        {
            _admin.Release();
        }
    }

    private async Task<string> ProvisionOneAsync(DatabasePlan plan, IDatabasePasswords passwords, CancellationToken ct)
    {
        var name = plan.Name;
        var quoted = DatabaseNames.Quote(name);
        await using var connection = await OpenAdminAsync(ct);
        bool roleExists, roleOurs, publicConnect;
        string? owner;
        await using (var state = new NpgsqlCommand(
            """
            SELECT r.oid IS NOT NULL, coalesce(shobj_description(r.oid, 'pg_authid'), '') LIKE @mark || '%', d.owner, coalesce(d.public_connect, false)
            FROM (SELECT 1) AS one
            LEFT JOIN pg_roles AS r ON r.rolname = @name
            LEFT JOIN (SELECT pg_get_userbyid(datdba) AS owner, has_database_privilege('public', oid, 'CONNECT') AS public_connect
                       FROM pg_database WHERE datname = @name) AS d ON true
            """, connection))
        {
            state.Parameters.AddWithValue("name", name);
            state.Parameters.AddWithValue("mark", RoleMark);
            await using var reader = await Run(() => state.ExecuteReaderAsync(ct));
            await reader.ReadAsync(ct);
            (roleExists, roleOurs, owner, publicConnect) = (reader.GetBoolean(0), reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(3));
        }
        if (roleExists && !roleOurs)
        {
            throw new DatabaseException($"the PostgreSQL server {Display} already has a role '{name}' that Autonomy did not make, so it is not taken over for the service '{plan.Service}': "
                + "drop that role, or give the service another name with x-autonomy: {database: {name: NAME}}");
        }
        if (owner is not null && owner != name)
        {
            throw new DatabaseException($"the PostgreSQL server {Display} already has a database '{name}', owned by '{owner}', so it is not taken over for the service '{plan.Service}': "
                + "drop or rename that database, or give the service another name with x-autonomy: {database: {name: NAME}}");
        }
        var password = passwords.Find(PasswordOwner.ServiceRole, plan.Service);
        if (!roleExists || password is null)
        {
            // Kept before the role has it: a crash after this leaves a password that the next up sets again.
            password ??= passwords.Create(PasswordOwner.ServiceRole, plan.Service);
            var verb = roleExists ? "ALTER" : "CREATE";
            await Execute(connection, $"{verb} ROLE {quoted} LOGIN PASSWORD '{ScramVerifier.For(password)}'", ct);
            await Execute(connection, $"COMMENT ON ROLE {quoted} IS '{RoleMark}{plan.Service.Replace("'", "''", StringComparison.Ordinal)}'", ct);
        }
        if (owner is null)
        {
            await _creating.WaitAsync(ct);
            try
            {
                await Execute(connection, $"CREATE DATABASE {quoted} OWNER {quoted}", ct);
            }
            finally
            {
                _creating.Release();
            }
            publicConnect = true;
        }
        if (publicConnect)
        {
            await Execute(connection, $"REVOKE CONNECT, TEMPORARY ON DATABASE {quoted} FROM PUBLIC", ct);
        }
        return password;
    }

    /// <summary>Drops the service's database (closing its connections) and its role.</summary>
    public async Task DropAsync(string name, CancellationToken ct)
    {
        var quoted = DatabaseNames.Quote(name);
        await using var connection = await OpenAdminAsync(ct);
        await Execute(connection, $"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", ct);
        await Execute(connection, $"DROP ROLE IF EXISTS {quoted}", ct);
    }

    /// <summary>A connection as the service's own role, to its own database.</summary>
    public async Task<NpgsqlConnection> OpenAsAsync(string name, string password, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(PostgresConnections.ConnectionString(Hosts, name, password, name, pooling: false));
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw PostgresErrors.Explain(e, Display, HostList, name, "The password Autonomy keeps for it no longer matches; 'autonomy db drop' and a new up make it anew");
        }
    }

    private async Task<NpgsqlConnection> OpenAdminAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(PostgresConnections.ConnectionString(Hosts, admin, adminPassword, "postgres", maxPoolSize: AdminConnections));
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw PostgresErrors.Explain(e, Display, HostList, admin, passwordSource);
        }
    }

    private async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await Run(() => command.ExecuteNonQueryAsync(ct));
    }

    private async Task<T> Run<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw PostgresErrors.Explain(e, Display, HostList, admin, passwordSource);
        }
    }
}
