using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;
using Microsoft.Data.Sqlite;

namespace Autonomy.Tests.Governance;

/// <summary>
/// The chain catches tampering with the store file: an edited, a removed and a reordered entry are
/// each reported at the entry where the chain breaks, with what happened. The file is changed
/// while the server is down, as someone with access to the disk would.
/// </summary>
public sealed class AuditVerificationTests
{
    [Theory]
    [InlineData("edited", "UPDATE audit SET outcome = 'ok' WHERE seq = 5", 5L, "entry 5 was changed after it was written")]
    [InlineData("edited", "UPDATE audit SET time = time + 1 WHERE seq = 3", 3L, "entry 3 was changed after it was written")]
    [InlineData("removed", "DELETE FROM audit WHERE seq = 4", 4L, "entry 4 is missing: the log goes from 3 to 5")]
    [InlineData("removed", "DELETE FROM audit WHERE seq = 4; UPDATE audit SET seq = seq - 1 WHERE seq > 4", 4L, "entry 4 was written after an entry the log no longer has")]
    [InlineData("reordered", "UPDATE audit SET seq = -1 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = -1", 5L,
        "entry 5 was written after entry 6, but the log has it after entry 4")]
    public async Task VerificationFindsTheFirstBrokenEntry(string problem, string tampering, long brokenAt, string detail)
    {
        await using var server = await StartWithEntriesAsync();
        await server.StopAsync();
        Tamper(server, tampering);
        await server.StartAgainAsync();

        var verification = await VerifyAsync(server);
        Assert.False(verification.GetProperty("intact").GetBoolean());
        Assert.Equal(problem, verification.GetProperty("problem").GetString());
        Assert.Equal(brokenAt, verification.GetProperty("brokenAt").GetInt64());
        Assert.StartsWith(detail, verification.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUntouchedLogIsIntactAndKeepsGrowingAcrossRestarts()
    {
        await using var server = await StartWithEntriesAsync();
        var before = await VerifyAsync(server);
        Assert.True(before.GetProperty("intact").GetBoolean(), before.ToString());
        await server.StopAsync();
        await server.StartAgainAsync();
        await server.Http.PutAsync("/v1/config/web/keys/After", new StringContent("restart"));
        var after = await VerifyAsync(server);
        Assert.True(after.GetProperty("intact").GetBoolean(), after.ToString());
        Assert.Equal(before.GetProperty("checked").GetInt64() + 1, after.GetProperty("checked").GetInt64());
    }

    [Fact]
    public async Task EntriesCutFromTheEndWhileTheServerRunsAreFound()
    {
        await using var server = await StartWithEntriesAsync();
        Tamper(server, "DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)");
        var verification = await VerifyAsync(server);
        Assert.False(verification.GetProperty("intact").GetBoolean());
        Assert.Equal("removed", verification.GetProperty("problem").GetString());
        Assert.Contains("the server wrote up to entry", verification.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A server with at least eight entries: writes, and a refusal among them.</summary>
    private static async Task<RunningServer> StartWithEntriesAsync()
    {
        var server = await RunningServer.StartAsync("name: shop\nservices:\n  web:\n    command: sleep 300\n");
        for (var i = 0; i < 4; i++)
        {
            (await server.Http.PutAsync($"/v1/config/web/keys/K{i}", new StringContent($"v{i}"))).EnsureSuccessStatusCode();
        }
        using var stranger = server.Client("aut_wrong");
        await stranger.GetAsync("/v1/services");
        (await server.Http.PostAsJsonAsync("/v1/config/web/txn", new { operations = new[] { new { op = "set", key = "T", value = "1" } } })).EnsureSuccessStatusCode();
        (await server.Http.DeleteAsync("/v1/config/web/keys/K0")).EnsureSuccessStatusCode();
        (await server.Http.PutAsync("/v1/config/web/keys/Last", new StringContent("x"))).EnsureSuccessStatusCode();
        return server;
    }

    private static void Tamper(RunningServer server, string sql)
    {
        var path = Path.Combine(server.Plane.StateDirectory, "config.db");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.True(command.ExecuteNonQuery() > 0, "the tampering changed nothing");
    }

    private static async Task<JsonElement> VerifyAsync(RunningServer server) =>
        JsonDocument.Parse(await server.Http.GetStringAsync("/v1/audit?verify=true")).RootElement.GetProperty("verification");
}
