using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary><c>autonomy keys</c> against a running project, as a person and a script use it.</summary>
public sealed class KeysCommandTests() : RunningCliProject("keyscli")
{
    // One test, so that the project is brought up once: each verb is a process of its own.
    [Fact]
    public async Task CreateListAndRevokeAKeyAndMistakesAreOneClearLine()
    {
        var created = await Run("keys", "create", "--route", "web/0", "--route", "web", "--quota", "1000/day", "--name", "partner");
        Assert.True(created.ExitCode == 0, created.ToString());
        var key = created.StandardOutput.Trim();
        Assert.Matches("^ak_[A-Za-z0-9_-]{43}$", key);
        Assert.Matches(@"^created API key key_[0-9a-f]{12} for web/0, web \(quota 1000/day\); it is shown only this once\n$", created.StandardError);
        var id = created.StandardError.Split(' ')[3];

        var listedJson = await Ok("keys", "list", "--format", "json");
        Assert.DoesNotContain(key, listedJson, StringComparison.Ordinal);
        var listed = JsonDocument.Parse(listedJson).RootElement.EnumerateArray().Single();
        Assert.Equal((id, "partner", "1000/day", 0L), (listed.GetProperty("id").GetString(), listed.GetProperty("name").GetString(),
            listed.GetProperty("quota").GetString(), listed.GetProperty("used").GetInt64()));
        var table = await Ok("keys", "list");
        Assert.Contains(table.Split('\n'), line => line.Contains(id, StringComparison.Ordinal) && line.Contains("web/0, web", StringComparison.Ordinal)
            && line.Contains("1000/day", StringComparison.Ordinal) && line.Contains("active", StringComparison.Ordinal));

        var json = JsonDocument.Parse(await Ok("keys", "create", "--route", "web/0", "--format", "json")).RootElement;
        Assert.StartsWith("ak_", json.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("quota").ValueKind);

        Assert.Equal($"revoked {id}\n", await Ok("keys", "revoke", id));

        var audit = await Ok("audit", "--format", "json");
        Assert.Contains(id, audit, StringComparison.Ordinal);
        Assert.DoesNotContain(key, audit, StringComparison.Ordinal);
        var store = Path.Combine(State, "config.db");
        var onDisk = string.Concat(new[] { "", "-wal" }.Where(s => File.Exists(store + s)).Select(s => Encoding.Latin1.GetString(File.ReadAllBytes(store + s))));
        Assert.DoesNotContain(key, onDisk, StringComparison.Ordinal);

        var quota = await Run("keys", "create", "--route", "web/0", "--quota", "10/week");
        Assert.Equal(1, quota.ExitCode);
        Assert.StartsWith("error: quota is '10/week'; write a number of requests from 1 to", quota.StandardError, StringComparison.Ordinal);
        var route = await Run("keys", "create", "--route", "shop/0");
        Assert.Equal(1, route.ExitCode);
        Assert.StartsWith("error: 'shop/0': there is no service 'shop' in this project; the services are web", route.StandardError, StringComparison.Ordinal);
        var unknown = await Run("keys", "revoke", "key_000000000000");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error: there is no API key 'key_000000000000'; 'autonomy keys list' shows them\n", unknown.StandardError);
        var after = JsonDocument.Parse(await Ok("keys", "list", "--format", "json")).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, after.Count);
        Assert.Equal("revoked", after.Single(k => k.GetProperty("id").GetString() == id).GetProperty("status").GetString());
    }
}
