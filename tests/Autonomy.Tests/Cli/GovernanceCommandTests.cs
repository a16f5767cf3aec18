using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;
using Microsoft.Data.Sqlite;

namespace Autonomy.Tests.Cli;

/// <summary><c>autonomy tokens</c> and <c>autonomy audit</c> against a running project, as a user and a script use them.</summary>
public sealed class GovernanceCommandTests() : RunningCliProject("govcli")
{
    [Fact]
    public async Task CreateUseListAndRevokeAToken()
    {
        var created = await Run("tokens", "create", "--role", "read-only", "--ttl", "1h", "--name", "ci");
        Assert.True(created.ExitCode == 0, created.ToString());
        var token = created.StandardOutput.Trim();
        Assert.StartsWith("aut_", token, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', token);
        Assert.Matches(@"^created token tok_[0-9a-f]{12} \(role read-only, expires .+\); it is shown only this once\n$", created.StandardError);
        var id = created.StandardError.Split(' ')[2];

        using var client = Client(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/services")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsync("/v1/config/web/keys/Mode", new StringContent("x"))).StatusCode);

        var listedJson = await Ok("tokens", "list", "--format", "json");
        Assert.DoesNotContain(token, listedJson, StringComparison.Ordinal);
        var listed = JsonDocument.Parse(listedJson).RootElement.EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);
        Assert.Equal(("read-only", "ci"), (listed.GetProperty("role").GetString(), listed.GetProperty("name").GetString()));
        var table = await Ok("tokens", "list");
        Assert.Contains(table.Split('\n'), line => line.Contains(id, StringComparison.Ordinal) && line.Contains("read-only", StringComparison.Ordinal) && line.Contains("active", StringComparison.Ordinal));
        Assert.Contains(table.Split('\n'), line => line.Contains("web-1", StringComparison.Ordinal) && line.Contains("replica", StringComparison.Ordinal));

        Assert.Equal($"revoked {id}\n", await Ok("tokens", "revoke", id));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/services")).StatusCode);

        var bad = await Run("tokens", "create", "--role", "root");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("error: 'root' is not a role: use admin, read-only or service:NAME", bad.StandardError, StringComparison.Ordinal);
        var unknown = await Run("tokens", "revoke", "tok_000000000000");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("there is no token 'tok_000000000000'", unknown.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditListsChangesAndVerifyFailsOnATamperedLog()
    {
        await Ok("config", "set", "web", "Mode", "fast");
        using var stranger = Client("aut_wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/v1/services")).StatusCode);

        var table = await Ok("audit", "--since", "1h");
        Assert.Contains(table.Split('\n'), line => line.Contains("admin", StringComparison.Ordinal) && line.Contains("PUT /v1/config/web/keys/Mode", StringComparison.Ordinal) && line.Contains("ok", StringComparison.Ordinal));
        Assert.Contains(table.Split('\n'), line => line.Contains("anonymous", StringComparison.Ordinal) && line.Contains("GET /v1/services", StringComparison.Ordinal) && line.Contains("401", StringComparison.Ordinal));
        var entries = JsonDocument.Parse(await Ok("audit", "--format", "json")).RootElement.GetProperty("entries");
        Assert.True(entries.GetArrayLength() >= 2);
        Assert.StartsWith($"the audit log is intact: {entries.GetArrayLength()} entries, the newest", await Ok("audit", "--verify"), StringComparison.Ordinal);

        // Someone with the disk hides the refusal.
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(State, "config.db"), Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE audit SET outcome = 'ok' WHERE outcome = '401'";
            Assert.Equal(1, command.ExecuteNonQuery());
        }
        var verify = await Run("audit", "--verify");
        Assert.Equal(1, verify.ExitCode);
        Assert.Matches(@"^error: the audit log is broken at entry \d+ \(edited\): entry \d+ was changed after it was written", verify.StandardError);

        var since = await Run("audit", "--since", "last week");
        Assert.Equal(1, since.ExitCode);
        Assert.Contains("since is 'last week'", since.StandardError, StringComparison.Ordinal);
    }

    private HttpClient Client(string token)
    {
        using var server = JsonDocument.Parse(File.ReadAllText(Path.Combine(State, "server.json")));
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.RootElement.GetProperty("port").GetInt32()}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
