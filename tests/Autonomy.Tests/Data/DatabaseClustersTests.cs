using System.Text.Json;
using Autonomy.Server.Data;
using Autonomy.Server.Data.Clusters;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Data;

/// <summary>
/// Several named PostgreSQL clusters (x-autonomy.databases) with placement by pin and by hash, and the
/// health of the nodes behind each service's database, against real servers: the shared one and a
/// second one started for each test.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseClustersTests(PostgresServerFixture pg) : IAsyncLifetime
{
    private readonly PostgresServerFixture _second = new();

    public Task InitializeAsync() => _second.InitializeAsync();

    public Task DisposeAsync() => _second.DisposeAsync();

    private static string Sleeper(string name, string? database = null) =>
        $"  {name}:\n    command: sleep 100000\n" + (database is null ? "" : $"    x-autonomy: {{database: {database}}}\n");

    private static DatabaseCluster Cluster(string name, string url) =>
        PostgresServerAddress.TryParse(url, out var address, out _) ? new DatabaseCluster(name, address!) : throw new ArgumentException(url);

    /// <summary>A service name (unique to this test) that hash placement puts on <paramref name="wanted"/>, and on <paramref name="thenOn"/> once <paramref name="more"/> are named too.</summary>
    private static string NameOn(string prefix, IReadOnlyList<DatabaseCluster> clusters, string wanted, IReadOnlyList<DatabaseCluster>? more = null, string? thenOn = null) =>
        Enumerable.Range(0, 10_000).Select(i => $"{prefix}{i}").First(name =>
            ClusterPlacement.ByHash(name, clusters).Name == wanted && (more is null || ClusterPlacement.ByHash(name, more).Name == thenOn));

    private static async Task<bool> DatabaseExistsAsync(PostgresServerFixture server, string name) =>
        (long)(await server.ScalarAsync($"SELECT count(*) FROM pg_database WHERE datname = '{name}'"))! == 1;

    private static async Task<JsonElement> DatabaseAsync(RunningServer server, string service) =>
        JsonDocument.Parse(await server.Http.GetStringAsync($"/v1/databases/{service}")).RootElement;

    /// <summary>Waits until the service's database health (through the API, as ps reads it) has <paramref name="state"/>.</summary>
    private static async Task<JsonElement> HealthAsync(RunningServer server, string service, string state)
    {
        JsonElement health = default;
        await RunningProject.WaitUntilAsync(() =>
        {
            var services = JsonDocument.Parse(server.Http.GetStringAsync("/v1/services").Result).RootElement;
            health = services.EnumerateArray().Single(s => s.GetProperty("name").GetString() == service).GetProperty("database").Clone();
            return health.GetProperty("state").GetString() == state;
        }, $"the database of {service} is {state}", TimeSpan.FromSeconds(30));
        return health;
    }

    [Fact]
    public async Task ServicesArePlacedOnNamedClustersByPinAndByHash()
    {
        var main = Cluster("main", pg.Url);
        var archive = Cluster("archive", _second.Url);
        var spare = Cluster("spare", $"postgres://admin@localhost:{pg.Port}");
        DatabaseCluster[] two = [main, archive];
        DatabaseCluster[] three = [main, archive, spare];
        var onMain = NameOn("cl_m", two, "main", three, "main");
        var onArchive = NameOn("cl_a", two, "archive", three, "archive");
        var movesToSpare = NameOn("cl_s", two, "archive", three, "spare");
        var newOnSpare = NameOn("cl_n", three, "spare");
        var ledger = "cl_ledger" + Guid.NewGuid().ToString("N")[..6];
        string Compose(string clusters, string ledgerPin, string extra = "") => $"""
            x-autonomy:
              databases:
            {clusters}
            services:
            {Sleeper(ledger, $"{{pin: {ledgerPin}}}")}{Sleeper(onMain)}{Sleeper(onArchive)}{Sleeper(movesToSpare)}{extra}
            """;
        var twoClusters = $"    main: {main.Address}\n    archive: {archive.Address}";
        // Each cluster's admin has its own password, in PGPASSWORD_<CLUSTER>; there is no PGPASSWORD at all.
        var env = new Dictionary<string, string> { ["HOME"] = "/home/test", ["PGPASSWORD_MAIN"] = pg.AdminPassword, ["PGPASSWORD_ARCHIVE"] = _second.AdminPassword, ["PGPASSWORD_SPARE"] = pg.AdminPassword };
        await using var server = await RunningServer.StartAsync(Compose(twoClusters, "archive"), env: env, configure: o => o with { DatabaseCheckInterval = TimeSpan.FromMilliseconds(200) });

        Assert.True(await DatabaseExistsAsync(_second, ledger));
        Assert.False(await DatabaseExistsAsync(pg, ledger));
        Assert.True(await DatabaseExistsAsync(pg, onMain));
        Assert.False(await DatabaseExistsAsync(_second, onMain));
        Assert.True(await DatabaseExistsAsync(_second, onArchive));
        var pinned = await DatabaseAsync(server, ledger);
        Assert.Equal(("archive", "pin", $"127.0.0.1:{_second.Port}"), (pinned.GetProperty("cluster").GetString(), pinned.GetProperty("placement").GetString(), pinned.GetProperty("location").GetString()));
        Assert.Equal(("main", "hash"), ((await DatabaseAsync(server, onMain)).GetProperty("cluster").GetString(), (await DatabaseAsync(server, onMain)).GetProperty("placement").GetString()));

        // Each node is checked: a single-host cluster's node is its primary.
        var health = await HealthAsync(server, ledger, "ok");
        Assert.Equal($"'archive' ({archive.Address})", health.GetProperty("server").GetString());
        Assert.Equal("primary", health.GetProperty("nodes")[0].GetProperty("role").GetString());
        var ls = await Repository.RunAutonomyAsync(server.Files.Directory, ["db", "ls"]);
        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Matches($@"{ledger}\s+postgres\s+{ledger}\s+archive \(pin\)\s+postgres://admin@127\.0\.0\.1:{_second.Port}\s+ok\s+yes", ls.StandardOutput);
        Assert.Matches($@"{onMain}\s+postgres\s+{onMain}\s+main \(hash\)", ls.StandardOutput);
        var onArchiveServer = string.Join(", ", new[] { ledger, onArchive, movesToSpare }.Order(StringComparer.Ordinal));
        Assert.True(ls.StandardOutput.Contains($"database 'archive' ({archive.Address}) ({onArchiveServer}): 127.0.0.1:{_second.Port} primary", StringComparison.Ordinal), ls.StandardOutput);

        // A third cluster: a new service that hashes there is made there, and one whose database exists stays where its data is.
        await server.StopAsync();
        server.Files.Write("compose.yaml", Compose(twoClusters + $"\n    spare: {spare.Address}", "archive", Sleeper(newOnSpare)));
        await server.StartAgainAsync();
        Assert.Equal("archive", (await DatabaseAsync(server, movesToSpare)).GetProperty("cluster").GetString());
        Assert.Contains(server.Plane.Supervisor.Warnings, w => w.Contains($"service '{movesToSpare}': hash placement now picks the cluster 'spare', and its database stays on 'archive'", StringComparison.Ordinal));
        var added = await DatabaseAsync(server, newOnSpare);
        Assert.Equal(("spare", $"localhost:{pg.Port}"), (added.GetProperty("cluster").GetString(), added.GetProperty("location").GetString()));
        Assert.True(await DatabaseExistsAsync(pg, newOnSpare));

        // A pin elsewhere would give the service an empty database: up refuses, and says how to move the data.
        await server.StopAsync();
        server.Files.Write("compose.yaml", Compose(twoClusters, "main"));
        var refused = await Assert.ThrowsAsync<ServicePlanException>(server.StartAgainAsync);
        Assert.Contains($"service '{ledger}': it is pinned to the cluster 'main', and its database was made on 'archive', where its data is", refused.Message);
        Assert.Contains($"autonomy db backup {ledger}", refused.Message);
        Assert.False(await DatabaseExistsAsync(pg, ledger));
        server.Files.Write("compose.yaml", Compose(twoClusters, "archive"));
        await server.StartAgainAsync();
    }

    [Fact]
    public async Task TheAdminPasswordsNeverReachAService()
    {
        var service = "pw_" + Guid.NewGuid().ToString("N")[..8];
        var compose = $$"""
            x-autonomy:
              databases:
                main: {{_second.Url}}
            services:
            {{SqliteDatabaseTests.Service(service)}}
            {{SqliteDatabaseTests.Service(service + "_own", "sqlite", "    environment: {PGPASSWORD: given-on-purpose}")}}
            """;
        // The shell that starts Autonomy holds the admin passwords, and the services inherit that shell's environment.
        var shell = new Dictionary<string, string> { ["HOME"] = "/home/test", ["PGPASSWORD"] = "not-for-services", ["PGPASSWORD_MAIN"] = _second.AdminPassword };
        await using var server = await RunningServer.StartAsync(compose, new Dictionary<string, string> { ["app.py"] = TestApps.HttpApp }, environment: shell, env: shell);
        Assert.StartsWith($"postgres://{service}:", await SqliteDatabaseTests.VariableAsync(server, service, "DATABASE_URL"));
        Assert.Equal("<unset>", await SqliteDatabaseTests.VariableAsync(server, service, "PGPASSWORD"));
        Assert.Equal("<unset>", await SqliteDatabaseTests.VariableAsync(server, service, "PGPASSWORD_MAIN"));
        Assert.Equal("/home/test", await SqliteDatabaseTests.VariableAsync(server, service, "HOME"));
        // A compose file that gives one to a service on purpose is obeyed.
        Assert.Equal("given-on-purpose", await SqliteDatabaseTests.VariableAsync(server, service + "_own", "PGPASSWORD"));
    }

    [Fact]
    public async Task ADatabaseIsDegradedWhileNoPrimaryAnswers()
    {
        var dead = PostgresServerFixture.FreePort();
        var service = "hc_" + Guid.NewGuid().ToString("N")[..8];
        var compose = $"""
            x-autonomy:
              database: postgres://admin@127.0.0.1:{dead},127.0.0.1:{_second.Port}
            services:
            {Sleeper(service)}
            """;
        var env = new Dictionary<string, string> { ["HOME"] = "/home/test", ["PGPASSWORD"] = _second.AdminPassword };
        await using var server = await RunningServer.StartAsync(compose, env: env, configure: o => o with { DatabaseCheckInterval = TimeSpan.FromMilliseconds(200) });

        // One node down and one primary: ok, since writes go to the primary.
        var health = await HealthAsync(server, service, "ok");
        Assert.Equal(("down", "connection refused"), (health.GetProperty("nodes")[0].GetProperty("role").GetString(), health.GetProperty("nodes")[0].GetProperty("error").GetString()));
        Assert.Equal("primary", health.GetProperty("nodes")[1].GetProperty("role").GetString());

        await _second.StopServerAsync();
        health = await HealthAsync(server, service, "degraded");
        Assert.Equal("down", health.GetProperty("nodes")[1].GetProperty("role").GetString());
        var ps = await Repository.RunAutonomyAsync(server.Files.Directory, ["ps"]);
        Assert.Contains($"({service}): DEGRADED, no primary answers", ps.StandardOutput);
        Assert.Contains($"127.0.0.1:{dead} down (connection refused)", ps.StandardOutput);

        await _second.StartServerAsync();
        await HealthAsync(server, service, "ok");
        await RunningProject.WaitUntilAsync(() => server.Plane.Supervisor.TailLogs(service, 20).Any(l => l.Text.Contains("database has a primary again", StringComparison.Ordinal)), "the service's log says the primary is back");
        var lines = server.Plane.Supervisor.TailLogs(service, 20).Select(l => l.Text).ToList();
        Assert.Contains(lines, l => l.StartsWith("database degraded: no primary answers on postgres://admin@", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"database has a primary again after", StringComparison.Ordinal) && l.Contains($": 127.0.0.1:{_second.Port} (", StringComparison.Ordinal));
    }
}
