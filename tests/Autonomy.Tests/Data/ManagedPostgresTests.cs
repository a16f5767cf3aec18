using System.Text.Json;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Tests.TestUtilities;
using Npgsql;

namespace Autonomy.Tests.Data;

/// <summary>PostgreSQL run by Autonomy itself: for a compose service declared by the postgres image, or for x-autonomy.database: postgres.</summary>
public sealed class ManagedPostgresTests
{
    private static readonly Dictionary<string, string> App = new() { ["app.py"] = TestApps.HttpApp };

    [Fact]
    public async Task ThePostgresImageIsSatisfiedByTheManagedServer()
    {
        var binaries = PostgresServerFixture.FindBinaries();
        var compose = $"""
            services:
              db:
                image: postgres:16
                environment:
                  POSTGRES_USER: shop
                  POSTGRES_PASSWORD: s3cret-pw
                  POSTGRES_DB: shopdb
                healthcheck:
                  test: ["CMD-SHELL", "pg_isready -U shop"]
                  interval: 1s
            {SqliteDatabaseTests.Service("web", "postgres", "    depends_on: {db: {condition: service_healthy}}\n    environment: {SHOP_DATABASE: \"postgres://shop:s3cret-pw@db:5432/shopdb?sslmode=disable\"}")}
            """;
        await using var server = await RunningServer.StartAsync(compose, App);
        var db = server.Plane.Supervisor.Status().Single(s => s.Name == "db");
        using (var view = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/services/db")))
        {
            Assert.Equal("healthy", view.RootElement.GetProperty("health").GetString());
            Assert.Equal($"Autonomy's managed PostgreSQL {binaries.Major}, in place of the image postgres:16", view.RootElement.GetProperty("runs").GetString());
        }
        if (binaries.Major != 16)
        {
            Assert.Contains($"service 'db': the image postgres:16 asks for PostgreSQL 16; it runs on this machine's PostgreSQL {binaries.Major} ({binaries.Directory})", server.Plane.Supervisor.Warnings);
        }
        var ps = await Repository.RunAutonomyAsync(server.Files.Directory, ["ps"]);
        Assert.Contains($"db: Autonomy's managed PostgreSQL {binaries.Major}, in place of the image postgres:16, on 127.0.0.1:{db.Port}", ps.StandardOutput);

        // The image's user, password and database, through the service's stable port.
        var asImageUser = $"Host=127.0.0.1;Port={db.Port};Username=shop;Password=s3cret-pw;Database=shopdb;Pooling=false";
        Assert.Equal("shopdb", await ScalarAsync(asImageUser, "SELECT current_database()"));
        Assert.Equal(true, await ScalarAsync(asImageUser, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));

        // The address a Docker network would resolve is the server's loopback address here.
        Assert.Equal($"postgres://shop:s3cret-pw@127.0.0.1:{db.Port}/shopdb?sslmode=disable", await SqliteDatabaseTests.VariableAsync(server, "web", "SHOP_DATABASE"));

        // web's own database lives on the same server, and its role opens nothing else.
        var ado = await SqliteDatabaseTests.VariableAsync(server, "web", "ConnectionStrings__Database");
        Assert.Equal("web", await ScalarAsync(ado, "SELECT current_database()"));
        foreach (var other in new[] { "shopdb", "postgres", "template1" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(new NpgsqlConnectionStringBuilder(ado) { Database = other }.ConnectionString, "SELECT 1"));
            Assert.Equal("42501", refused.SqlState);
        }

        // initdb runs once: a second up starts the same cluster with its data.
        await ScalarAsync(asImageUser, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('yes')");
        var url = await SqliteDatabaseTests.VariableAsync(server, "web", "DATABASE_URL");
        await server.StopAsync();
        await server.StartAgainAsync();
        db = server.Plane.Supervisor.Status().Single(s => s.Name == "db");
        asImageUser = $"Host=127.0.0.1;Port={db.Port};Username=shop;Password=s3cret-pw;Database=shopdb;Pooling=false";
        Assert.Equal("yes", await ScalarAsync(asImageUser, "SELECT v FROM kept"));
        Assert.Equal(url.Split('@')[0], (await SqliteDatabaseTests.VariableAsync(server, "web", "DATABASE_URL")).Split('@')[0]);
        Assert.Single(server.Plane.Supervisor.TailLogs("db", 1000), l => l.Text.StartsWith("initializing PostgreSQL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APostgresProviderWithoutAnImageGetsAServerOfItsOwn()
    {
        PostgresServerFixture.FindBinaries();
        await using var server = await RunningServer.StartAsync($"""
            x-autonomy:
              database: postgres
            services:
            {SqliteDatabaseTests.Service("orders")}
            {SqliteDatabaseTests.Service("notes", "sqlite")}
            """, App);
        var added = server.Plane.Supervisor.Status().Single(s => s.Name == "postgres");
        Assert.Equal("healthy", JsonDocument.Parse(await server.Http.GetStringAsync("/v1/services/postgres")).RootElement.GetProperty("health").GetString());
        var url = await SqliteDatabaseTests.VariableAsync(server, "orders", "DATABASE_URL");
        Assert.Matches($"^postgres://orders:[A-Za-z0-9]{{32}}@127\\.0\\.0\\.1:{added.Port}/orders$", url);
        Assert.Equal("orders", await ScalarAsync(await SqliteDatabaseTests.VariableAsync(server, "orders", "ConnectionStrings__Database"), "SELECT current_user"));
        Assert.StartsWith("sqlite:////", await SqliteDatabaseTests.VariableAsync(server, "notes", "DATABASE_URL"));
        // The server's data is the postgres user's (as root) or ours, and nobody else's.
        var data = Path.Combine(server.Plane.StateDirectory, "pg", "postgres", "data");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
    }

    [Fact]
    public async Task MissingServerProgramsAndImagesItCannotRunAreClearErrors()
    {
        using var empty = new TempProject();
        var missing = await Assert.ThrowsAsync<ServicePlanException>(() => RunningServer.StartAsync("""
            services:
              db:
                image: postgres:16-alpine
                environment: {POSTGRES_PASSWORD: pw}
              web:
                command: sleep 30
                x-autonomy: {database: postgres}
            """, configure: o => o with { PostgresBinaryDirectories = [empty.Directory] }));
        Assert.Contains("service 'db': it is declared by the image postgres:16-alpine, which Autonomy runs as its managed PostgreSQL, but PostgreSQL's server programs (initdb, postgres) are not on this machine", missing.Message);
        Assert.Contains("apt-get install postgresql", missing.Message);

        var added = await Assert.ThrowsAsync<ServicePlanException>(() => RunningServer.StartAsync(
            "services:\n  web:\n    command: sleep 30\n    x-autonomy: {database: postgres}\n", configure: o => o with { PostgresBinaryDirectories = [empty.Directory] }));
        Assert.Contains("service 'web': it asks for a managed PostgreSQL database (x-autonomy.database: postgres), but PostgreSQL's server programs (initdb, postgres) are not on this machine", added.Message);

        var image = await Assert.ThrowsAsync<ServicePlanException>(() => RunningServer.StartAsync("services:\n  cache:\n    image: redis:7\n  db:\n    image: postgres\n"));
        Assert.Contains("service 'cache': it has only an image (redis:7), and without a container engine Autonomy runs services as native processes; of images, it satisfies postgres (any tag", image.Message);
        Assert.Contains("service 'db': it is a PostgreSQL server (image postgres) with no POSTGRES_PASSWORD, which the image requires", image.Message);
    }

    [Theory]
    [InlineData("postgres://u:p@db:5432/app", "postgres://u:p@127.0.0.1:6000/app")]
    [InlineData("postgresql://u:p@db/app?sslmode=disable", "postgresql://u:p@127.0.0.1:6000/app?sslmode=disable")]
    [InlineData("postgres://u:p@other:5432,db:5432/app", "postgres://u:p@other:5432,127.0.0.1:6000/app")]
    [InlineData("postgres://u:p@dbx:5432/app", "postgres://u:p@dbx:5432/app")]
    [InlineData("http://web:8080/db", "http://web:8080/db")]
    [InlineData("db:5432", "db:5432")]
    public void DockerAddressesOfTheServerBecomeLoopback(string value, string expected) =>
        Assert.Equal(expected, Autonomy.Server.Data.Managed.ImageAddresses.Rewrite(value, new Dictionary<string, Autonomy.Server.Data.Managed.ImageServer> { ["db"] = Autonomy.Server.Data.Managed.ImageServer.Postgres(6000) }));

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
