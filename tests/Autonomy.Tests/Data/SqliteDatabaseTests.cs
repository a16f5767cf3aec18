using System.Text.Json;
using Autonomy.Tests.TestUtilities;
using Microsoft.Data.Sqlite;

namespace Autonomy.Tests.Data;

/// <summary>The default provider: one SQLite file per service, handed over in DATABASE_URL, run by the real server.</summary>
public sealed class SqliteDatabaseTests
{
    private static readonly Dictionary<string, string> App = new() { ["app.py"] = TestApps.HttpApp };

    internal static async Task<string> VariableAsync(RunningServer server, string service, string name)
    {
        var port = server.Plane.Supervisor.Status().Single(s => s.Name == service).Port;
        return await RunningProject.Http.GetStringAsync($"http://127.0.0.1:{port}/env/{name}");
    }

    private static string StateOf(RunningServer server) => server.Plane.StateDirectory;

    /// <summary>A service running <see cref="TestApps.HttpApp"/>, with <paramref name="database"/> as its x-autonomy.database when given.</summary>
    internal static string Service(string name, string? database = null, string extra = "") => $$"""
          {{name}}:
            command: ["python3", "app.py"]
            x-autonomy:
              healthcheck: {http: /health, interval: 200ms, start_interval: 100ms, retries: 2}
              {{(database is null ? "" : "database: " + database)}}
        {{extra}}
        """;

    [Fact]
    public async Task EachServiceGetsItsOwnFileUnlessItOptsOutOrBringsItsOwn()
    {
        await using var server = await RunningServer.StartAsync($"""
            name: shop
            services:
            {TestApps.HttpService("orders")}
            {TestApps.HttpService("catalog")}
            {Service("static", "false")}
            {TestApps.HttpService("legacy", "    environment: {DATABASE_URL: \"sqlite:////srv/legacy.db\"}")}
            """, App);
        var data = Path.Combine(StateOf(server), "data");
        Assert.Equal($"sqlite:///{data}/orders.db", await VariableAsync(server, "orders", "DATABASE_URL"));
        Assert.StartsWith("sqlite:////", await VariableAsync(server, "orders", "DATABASE_URL"));
        Assert.Equal($"Data Source={data}/catalog.db", await VariableAsync(server, "catalog", "ConnectionStrings__Database"));
        Assert.Equal("<unset>", await VariableAsync(server, "static", "DATABASE_URL"));
        Assert.Equal("sqlite:////srv/legacy.db", await VariableAsync(server, "legacy", "DATABASE_URL"));
        Assert.Equal("<unset>", await VariableAsync(server, "legacy", "ConnectionStrings__Database"));
        Assert.False(File.Exists(Path.Combine(data, "static.db")));
        Assert.False(File.Exists(Path.Combine(data, "legacy.db")));

        // Each file is the owner's alone, in WAL mode, and a second up reuses it as it is.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "orders.db")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        await using (var connection = new SqliteConnection($"Data Source={data}/orders.db;Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode; CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('still here');";
            Assert.Equal("wal", await command.ExecuteScalarAsync());
        }
        await server.StopAsync();
        await server.StartAgainAsync();
        await using (var connection = new SqliteConnection($"Data Source={data}/orders.db;Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT v FROM kept";
            Assert.Equal("still here", await command.ExecuteScalarAsync());
        }

        using var list = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/databases"));
        Assert.Equal(["catalog", "orders"], list.RootElement.EnumerateArray().Select(d => d.GetProperty("service").GetString()!).ToArray());
        Assert.All(list.RootElement.EnumerateArray(), d => Assert.Equal("sqlite", d.GetProperty("provider").GetString()));
    }

    [Fact]
    public async Task InitScriptsRunOnceInNameOrder()
    {
        var files = new Dictionary<string, string>(App)
        {
            // Name order, not the order the folder lists them in: the table must exist before the rows.
            ["db/init/010-rows.sql"] = "INSERT INTO greetings (text) VALUES ('hello'); INSERT INTO greetings (text) VALUES ('bonjour');",
            ["db/init/001-schema.sql"] = "CREATE TABLE greetings (id INTEGER PRIMARY KEY, text TEXT NOT NULL);",
            ["db/init/notes.txt"] = "not SQL: not run",
        };
        await using var server = await RunningServer.StartAsync($"""
            services:
            {Service("web", "{init: ./db/init}")}
            """, files);
        var path = Path.Combine(StateOf(server), "data", "web.db");
        Assert.Equal(2, Count(path, "SELECT count(*) FROM greetings"));
        await server.StopAsync();
        await server.StartAgainAsync();
        Assert.Equal(2, Count(path, "SELECT count(*) FROM greetings"));
        Assert.Equal(2, Count(path, "SELECT count(*) FROM autonomy_init_scripts"));
        Assert.Contains(server.Plane.Supervisor.TailLogs("web", 100), l => l.Text == "ran init script 001-schema.sql");
    }

    [Fact]
    public async Task BackupRestoreAndDropThroughTheCli()
    {
        await using var server = await RunningServer.StartAsync($"""
            name: notes
            services:
            {TestApps.HttpService("notes")}
            """, App);
        var path = Path.Combine(StateOf(server), "data", "notes.db");
        Execute(path, "CREATE TABLE note (text TEXT); INSERT INTO note VALUES ('first'), ('second');");

        var backup = await Repository.RunAutonomyAsync(server.Files.Directory, ["db", "backup", "notes", "-o", "notes.backup"]);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Execute(path, "DELETE FROM note; INSERT INTO note VALUES ('after the backup');");

        var restore = await Repository.RunAutonomyAsync(server.Files.Directory, ["db", "restore", "notes", "notes.backup"]);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(2, Count(path, "SELECT count(*) FROM note WHERE text IN ('first', 'second')"));
        Assert.Equal(0, Count(path, "SELECT count(*) FROM note WHERE text = 'after the backup'"));

        var garbage = server.Files.Write("garbage.db", "this is not a database");
        var refused = await Repository.RunAutonomyAsync(server.Files.Directory, ["db", "restore", "notes", garbage]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("not a SQLite database", refused.StandardError);
        Assert.Equal(2, Count(path, "SELECT count(*) FROM note"));

        // A running service's database is not dropped; once the service leaves the file, it is.
        var inUse = await Repository.RunAutonomyAsync(server.Files.Directory, ["db", "drop", "notes", "--yes"]);
        Assert.Equal(1, inUse.ExitCode);
        Assert.Contains("runs with this database now", inUse.StandardError);
        server.Files.Write("compose.yaml", "name: notes\nservices:\n  other:\n    command: sleep 300\n    x-autonomy: {database: false}\n");
        Assert.Equal(0, (await Repository.RunAutonomyAsync(server.Files.Directory, ["up", "-d"])).ExitCode);
        Assert.True(File.Exists(path), "a service that left the file keeps its data");
        var dropped = await Repository.RunAutonomyAsync(server.Files.Directory, ["db", "drop", "notes", "--yes"]);
        Assert.True(dropped.ExitCode == 0, dropped.ToString());
        Assert.False(File.Exists(path));
        Assert.Equal("[]", (await server.Http.GetStringAsync("/v1/databases")).Trim());
    }

    internal static long Count(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
