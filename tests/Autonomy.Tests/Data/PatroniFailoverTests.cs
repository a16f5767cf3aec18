using System.Globalization;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;
using Npgsql;
using Xunit.Abstractions;

namespace Autonomy.Tests.Data;

/// <summary>
/// High availability through Patroni: a service under Autonomy writes without pause to a two-node
/// cluster (synchronous_mode), its leader node is killed (Patroni and PostgreSQL), Patroni makes the
/// standby the leader, the service's writes go on on the new primary through the multi-host URL
/// (target_session_attrs=read-write), and every row whose commit was acknowledged is there.
/// </summary>
public sealed class PatroniFailoverTests(ITestOutputHelper output)
{
    /// <summary>
    /// Inserts a row per attempt and records each one whose commit returned (acknowledged) in acked.log
    /// with the time; a failure closes the connection and the next attempt reconnects through the URL.
    /// Debian's psycopg2 (libpq) routes to the primary by target_session_attrs.
    /// </summary>
    private const string Writer = """
        import os, time, psycopg2
        url = os.environ["DATABASE_URL"]
        acked = open("acked.log", "a", buffering=1)
        attempt, connection, failing_since = 0, None, None
        while True:
            attempt += 1
            try:
                if connection is None:
                    connection = psycopg2.connect(url, connect_timeout=2)
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO ticks (id, port) VALUES (%s, inet_server_port())", (attempt,))
                connection.commit()
                acked.write(f"{attempt} {time.time():.6f}\n")
                if failing_since is not None:
                    print(f"writing again after {time.time() - failing_since:.2f} s", flush=True)
                    failing_since = None
            except psycopg2.Error as error:
                if failing_since is None:
                    failing_since = time.time()
                    print("write %d failed: %s" % (attempt, (str(error).strip().splitlines() or [type(error).__name__])[0]), flush=True)
                try:
                    if connection is not None:
                        connection.close()
                except psycopg2.Error:
                    pass
                connection = None
                time.sleep(0.05)
            time.sleep(0.01)
        """;

    private sealed record Ack(long Id, DateTimeOffset At);

    /// <summary>The acknowledged writes so far (a line still being written is left for the next read).</summary>
    private static List<Ack> Acks(string file)
    {
        var text = File.Exists(file) ? File.ReadAllText(file) : "";
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        return [.. complete.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).Select(f =>
            new Ack(long.Parse(f[0], CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(f[1], CultureInfo.InvariantCulture) * 1000))))];
    }

    private static async Task<JsonElement> DatabaseHealthAsync(RunningServer server)
    {
        var services = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/services")).RootElement;
        return services.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "writer").GetProperty("database").Clone();
    }

    private static string RoleOf(JsonElement health, string host) =>
        health.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("host").GetString() == host).GetProperty("role").GetString()!;

    [Fact]
    public async Task WritesResumeOnTheNewPrimaryAndNoAcknowledgedRowIsLost()
    {
        await using var cluster = await PatroniCluster.StartAsync(TimeSpan.FromSeconds(120));
        var compose = $"""
            x-autonomy:
              databases:
                ha: {cluster.Url}
            services:
              writer:
                command: ["/usr/bin/python3", "-u", "writer.py"]
                x-autonomy:
                  database:
                    pin: ha
                    init: ./sql
            """;
        var files = new Dictionary<string, string>
        {
            ["writer.py"] = Writer,
            ["sql/1-ticks.sql"] = "CREATE TABLE ticks (id bigint PRIMARY KEY, port int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());",
        };
        var env = new Dictionary<string, string> { ["HOME"] = "/home/test", ["PGPASSWORD_HA"] = cluster.AdminPassword };
        await using var server = await RunningServer.StartAsync(compose, files, env: env, configure: o => o with { DatabaseCheckInterval = TimeSpan.FromMilliseconds(200) });
        var acked = server.Files.PathOf("acked.log");

        var leaderName = await PatroniCluster.LeaderAsync(cluster.Nodes[0]);
        var leader = cluster.Nodes.Single(n => n.Name == leaderName);
        var standby = cluster.Nodes.Single(n => n != leader);
        // Autonomy checks both nodes: one primary, one standby.
        await RunningProject.WaitUntilAsync(() =>
        {
            var health = DatabaseHealthAsync(server).Result;
            return health.GetProperty("state").GetString() == "ok" && RoleOf(health, leader.Host) == "primary" && RoleOf(health, standby.Host) == "standby";
        }, "Autonomy sees the leader as primary and the other node as standby", TimeSpan.FromSeconds(30));
        await RunningProject.WaitUntilAsync(() => Acks(acked).Count >= 20, "the service writes", TimeSpan.FromSeconds(30));

        var killedAt = DateTimeOffset.UtcNow;
        cluster.Kill(leader);

        // No primary answers until Patroni promotes the standby: Autonomy marks the database degraded.
        await RunningProject.WaitUntilAsync(() => DatabaseHealthAsync(server).Result.GetProperty("state").GetString() == "degraded",
            "the database is degraded", TimeSpan.FromSeconds(30));
        // Patroni's REST API: the leader changed.
        string? newLeader = null;
        await RunningProject.WaitUntilAsync(() => (newLeader = PatroniCluster.LeaderAsync(standby).Result) == standby.Name,
            $"Patroni makes {standby.Name} the leader", TimeSpan.FromSeconds(60));
        var promoted = DateTimeOffset.UtcNow - killedAt;
        Assert.Equal(standby.Name, newLeader);
        Assert.DoesNotContain(await PatroniCluster.MembersAsync(standby), m => m.Name == leader.Name && m.Role == "leader");

        // The service's writes resume, on the new primary.
        await RunningProject.WaitUntilAsync(() => Acks(acked).Count(a => a.At > killedAt + promoted) >= 20, "the service writes again", TimeSpan.FromSeconds(60));
        await RunningProject.WaitUntilAsync(() =>
        {
            var health = DatabaseHealthAsync(server).Result;
            return health.GetProperty("state").GetString() == "ok" && RoleOf(health, standby.Host) == "primary" && RoleOf(health, leader.Host) == "down";
        }, "Autonomy sees the new primary", TimeSpan.FromSeconds(30));
        var acks = Acks(acked);
        // The outage is the longest pause between acknowledged writes once the kill began: a commit already on its
        // way may still be acknowledged a moment after the kill (it is on the standby too: synchronous_mode).
        var (lastBefore, firstAfter) = acks.OrderBy(a => a.At).Zip(acks.OrderBy(a => a.At).Skip(1))
            .Where(pair => pair.Second.At > killedAt)
            .MaxBy(pair => pair.Second.At - (pair.First.At > killedAt ? pair.First.At : killedAt));

        // Every acknowledged row is on the new primary (asked directly, not through the URL), and those after the kill were written there.
        var rows = new Dictionary<long, int>();
        await using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={standby.PostgresPort};Username={PatroniCluster.Admin};Password={cluster.AdminPassword};Database=writer;Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT id, port FROM ticks", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows[reader.GetInt64(0)] = reader.GetInt32(1);
            }
        }
        var missing = acks.Where(a => !rows.ContainsKey(a.Id)).Select(a => a.Id).ToList();
        Assert.True(missing.Count == 0, $"acknowledged rows missing after the failover: {string.Join(", ", missing.Take(20))}");
        Assert.All(acks.Where(a => a.At >= firstAfter.At), a => Assert.Equal(standby.PostgresPort, rows[a.Id]));
        Assert.Contains(acks.Where(a => a.At <= killedAt), a => rows[a.Id] == leader.PostgresPort);
        Assert.Contains(server.Plane.Supervisor.TailLogs("writer", 50), l => l.Text.StartsWith("database degraded: no primary answers", StringComparison.Ordinal));

        var outage = firstAfter.At - (lastBefore.At > killedAt ? lastBefore.At : killedAt);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"failover: killed leader {leader.Name} ({leader.Host}); Patroni made {standby.Name} the leader after {promoted.TotalSeconds:0.0} s (ttl {PatroniCluster.TtlSeconds} s); "
            + $"the service's writes resumed on {standby.Host} {(firstAfter.At - killedAt).TotalSeconds:0.00} s after the kill (outage {outage.TotalSeconds:0.00} s, from the kill or the last write acknowledged after it); "
            + $"{acks.Count} acknowledged writes, all on the new primary"));

        // Every process the cluster started is gone, the killed node's included, and none is left a zombie.
        await server.StopAsync();
        await cluster.DisposeAsync();
        Assert.Empty(cluster.Leftovers());
    }
}
