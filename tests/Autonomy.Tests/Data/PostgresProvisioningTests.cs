using System.Text.Json;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Tests.TestUtilities;
using Npgsql;

namespace Autonomy.Tests.Data;

/// <summary>Services on a PostgreSQL server of the user's (postgres://ADMIN@HOST:PORT), against a real server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresProvisioningTests(PostgresServerFixture pg)
{
    private static readonly Dictionary<string, string> App = new() { ["app.py"] = TestApps.HttpApp };

    private Dictionary<string, string> Env(string? password = null) => new() { ["HOME"] = "/home/test", ["PGPASSWORD"] = password ?? pg.AdminPassword };

    private string Compose(string services, string? url = null) => $"""
        x-autonomy:
          database: {url ?? pg.Url}
        services:
        {services}
        """;

    private static async Task<T?> AsService<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T?)await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task EachServiceGetsARoleAndDatabaseThatASecondUpReuses()
    {
        await using var server = await RunningServer.StartAsync(Compose(SqliteDatabaseTests.Service("ledger") + SqliteDatabaseTests.Service("audit")), App, env: Env());
        var url = await SqliteDatabaseTests.VariableAsync(server, "ledger", "DATABASE_URL");
        var ado = await SqliteDatabaseTests.VariableAsync(server, "ledger", "ConnectionStrings__Database");
        Assert.Matches($"^postgres://ledger:[A-Za-z0-9]{{32}}@127\\.0\\.0\\.1:{pg.Port}/ledger$", url);
        Assert.Equal("ledger/ledger", await AsService<string>(ado, "SELECT current_user || '/' || current_database()"));
        Assert.Equal("ledger", await pg.ScalarAsync("SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = 'ledger'"));
        Assert.Equal(false, await pg.ScalarAsync("SELECT has_database_privilege('public', 'ledger', 'CONNECT')"));
        var verifier = (string)(await pg.ScalarAsync("SELECT rolpassword FROM pg_authid WHERE rolname = 'ledger'"))!;
        // The password is kept in the project's secret store (sealed under its master key), and nowhere in the server's catalog.
        var kept = System.Text.Encoding.UTF8.GetString(server.Plane.Secrets.Read("autonomy-db-password.ledger"));
        Assert.Equal(new NpgsqlConnectionStringBuilder(ado).Password, kept);
        Assert.DoesNotContain(kept, verifier);
        Assert.StartsWith("SCRAM-SHA-256$4096:", verifier);

        // Isolation: ledger's credentials do not open audit's database; the server refuses them.
        var intoAudit = new NpgsqlConnectionStringBuilder(ado) { Database = "audit" }.ConnectionString;
        var refused = await Assert.ThrowsAsync<PostgresException>(() => AsService<int>(intoAudit, "SELECT 1"));
        Assert.Equal("42501", refused.SqlState);
        Assert.Contains("permission denied for database \"audit\"", refused.Message);

        // A second up: the same role, database and password; the role is not even altered.
        await server.StopAsync();
        await server.StartAgainAsync();
        Assert.Equal(url, await SqliteDatabaseTests.VariableAsync(server, "ledger", "DATABASE_URL"));
        Assert.Equal(verifier, await pg.ScalarAsync("SELECT rolpassword FROM pg_authid WHERE rolname = 'ledger'"));

        using var list = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/databases/ledger"));
        Assert.Equal("postgres", list.RootElement.GetProperty("provider").GetString());
        Assert.Equal(pg.Url, list.RootElement.GetProperty("server").GetString());
        Assert.Equal($"127.0.0.1:{pg.Port}", list.RootElement.GetProperty("location").GetString());
        var cliUrl = await Repository.RunAutonomyAsync(server.Files.Directory, ["db", "url", "ledger"]);
        Assert.Equal(url, cliUrl.StandardOutput.Trim());

        // A service's own token may not read a URL: the admin token only.
        var replica = server.Plane.Supervisor.Status().Single(s => s.Name == "ledger").Replicas[0];
        var token = File.ReadAllText($"/proc/{replica.Pid}/environ").Split('\0').Single(v => v.StartsWith("AUTONOMY_TOKEN=", StringComparison.Ordinal))["AUTONOMY_TOKEN=".Length..];
        using var asReplica = server.Client(token);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await asReplica.GetAsync("/v1/databases/ledger/url")).StatusCode);
    }

    [Fact]
    public async Task InitScriptsRunOnceAndABackupRestoresTheData()
    {
        var files = new Dictionary<string, string>(App)
        {
            ["sql/1-schema.sql"] = "CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL);",
            ["sql/2-rows.sql"] = "INSERT INTO item (name) VALUES ('bolt'), ('nut'); CREATE FUNCTION twice(i int) RETURNS int AS $$ SELECT i * 2 $$ LANGUAGE sql;",
        };
        await using var server = await RunningServer.StartAsync(Compose(SqliteDatabaseTests.Service("inventory", "{init: ./sql}")), files, env: Env());
        var ado = await SqliteDatabaseTests.VariableAsync(server, "inventory", "ConnectionStrings__Database");
        Assert.Equal(2L, await AsService<long>(ado, "SELECT count(*) FROM item"));
        Assert.Equal("inventory", await AsService<string>(ado, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'item'"));
        await server.StopAsync();
        await server.StartAgainAsync();
        Assert.Equal(2L, await AsService<long>(ado, "SELECT count(*) FROM item"));
        Assert.Equal(2L, await AsService<long>(ado, "SELECT count(*) FROM autonomy_init_scripts"));

        var backup = await Repository.RunAutonomyAsync(server.Files.Directory, ["db", "backup", "inventory", "-o", "inventory.dump"]);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.Files.PathOf("inventory.dump")));
        await AsService<object>(ado, "DELETE FROM item WHERE name = 'bolt'; INSERT INTO item (name) VALUES ('washer')");
        var restore = await Repository.RunAutonomyAsync(server.Files.Directory, ["db", "restore", "inventory", "inventory.dump"]);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("bolt,nut", await AsService<string>(ado, "SELECT string_agg(name, ',' ORDER BY name) FROM item"));
        Assert.Equal(14, await AsService<int>(ado, "SELECT twice(7)"));
        Assert.Equal("inventory", await AsService<string>(ado, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'item'"));
    }

    [Fact]
    public async Task AnUnreachableServerNamesItsAddressAndWhatToCheck()
    {
        var port = PostgresServerFixture.FreePort();
        var failure = await Assert.ThrowsAsync<ServiceStartException>(() =>
            RunningServer.StartAsync(Compose(SqliteDatabaseTests.Service("orders"), $"postgres://admin@127.0.0.1:{port}"), App, env: Env()));
        Assert.Contains($"cannot reach the PostgreSQL server postgres://admin@127.0.0.1:{port} at 127.0.0.1:{port} (connection refused)", failure.Message);
        Assert.Contains("listen_addresses", failure.Message);
    }

    [Fact]
    public async Task AWrongOrMissingAdminPasswordSaysWhereItComesFrom()
    {
        var wrong = await Assert.ThrowsAsync<ServiceStartException>(() => RunningServer.StartAsync(Compose(SqliteDatabaseTests.Service("orders")), App, env: Env("not-the-password")));
        Assert.Contains("refused the password of 'admin' (wrong password)", wrong.Message);
        Assert.Contains("PGPASSWORD", wrong.Message);
        Assert.DoesNotContain("not-the-password", wrong.Message);

        var none = await Assert.ThrowsAsync<ServiceStartException>(() =>
            RunningServer.StartAsync(Compose(SqliteDatabaseTests.Service("orders")), App, env: new Dictionary<string, string> { ["HOME"] = "/home/test" }));
        Assert.Contains("asks 'admin' for a password, and none was given", none.Message);
        Assert.Contains("PGPASSWORD (the shell or the project's .env) or in ~/.pgpass", none.Message);
    }

    [Fact]
    public async Task NamesThatAreNotIdentifiersAreMappedOrRefused()
    {
        await using (var server = await RunningServer.StartAsync(Compose(SqliteDatabaseTests.Service("web-api")), App, env: Env()))
        {
            Assert.Matches($"^postgres://web_api:[A-Za-z0-9]+@127\\.0\\.0\\.1:{pg.Port}/web_api$", await SqliteDatabaseTests.VariableAsync(server, "web-api", "DATABASE_URL"));
            Assert.Contains("service 'web-api': its PostgreSQL role and database are 'web_api': '-' cannot be in an SQL identifier (made '_')", server.Plane.Supervisor.Warnings);
        }

        var refused = await Assert.ThrowsAsync<ServicePlanException>(() =>
            RunningServer.StartAsync(Compose(SqliteDatabaseTests.Service("pg_stats") + SqliteDatabaseTests.Service("mail.out") + SqliteDatabaseTests.Service("mail-out")), App, env: Env()));
        Assert.Contains("service 'pg_stats': it cannot have a PostgreSQL role and database of its name: 'pg_stats' starts with 'pg_', which PostgreSQL keeps for its own roles", refused.Message);
        Assert.Contains("services 'mail.out' and 'mail-out' would share the PostgreSQL role and database 'mail_out'", refused.Message);
        Assert.Contains("x-autonomy: {database: {name: NAME}}", refused.Message);

        // A role Autonomy did not make is not taken over.
        await pg.ScalarAsync("CREATE ROLE intruder LOGIN");
        var taken = await Assert.ThrowsAsync<ServiceStartException>(() => RunningServer.StartAsync(Compose(SqliteDatabaseTests.Service("intruder")), App, env: Env()));
        Assert.Contains("already has a role 'intruder' that Autonomy did not make", taken.Message);
    }
}
