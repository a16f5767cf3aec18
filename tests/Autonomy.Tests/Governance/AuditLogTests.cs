using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Server.Store;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Governance;

/// <summary>What the audit log records: every write that succeeds and every refused call; no read, no value, no token.</summary>
public sealed class AuditLogTests
{
    private const string Compose = "name: audited\nservices:\n  orders:\n    command: sleep 300\n";

    [Fact]
    public async Task WritesAndRefusalsAreRecordedReadsAreNot()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        var start = await EntriesAsync(server);

        Assert.Equal(HttpStatusCode.OK, (await server.Http.PutAsync("/v1/config/orders/keys/Db:Password", new StringContent("s3cr3t-value"))).StatusCode);
        await server.Http.GetStringAsync("/v1/config/orders/keys/Db:Password");
        await server.Http.GetStringAsync("/v1/services");
        // A compare that fails changes nothing and is not a success.
        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.PutAsync("/v1/config/orders/keys/Db:Password?cas=1", new StringContent("other"))).StatusCode);
        var (id, token) = await TokensApiTests.MakeAsync(server, new { role = "read-only", name = "viewer" });
        using var reader = server.Client(token);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsync("/v1/config/orders/keys/Mode", new StringContent("x"))).StatusCode);
        using var stranger = server.Client("aut_guessed");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync("/v1/services/orders/scale", new { replicas = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.DeleteAsync($"/v1/tokens/{id}")).StatusCode);

        var text = await server.Http.GetStringAsync("/v1/audit");
        var entries = JsonDocument.Parse(text).RootElement.GetProperty("entries").EnumerateArray().Skip(start.Count)
            .Select(e => $"{e.GetProperty("actor").GetString()} | {e.GetProperty("action").GetString()} | {e.GetProperty("target").GetString()} | {e.GetProperty("outcome").GetString()}")
            .ToList();
        Assert.Equal(
        [
            "admin | PUT /v1/config/orders/keys/Db:Password | config:write:orders | ok",
            $"admin | POST /v1/tokens | {id} (role read-only) | ok",
            $"{id} | PUT /v1/config/orders/keys/Mode | config:write:orders | 403",
            "anonymous | GET /v1/audit | audit:read | 401",
            "admin | POST /v1/services/orders/scale | services:write:orders | ok",
            $"admin | DELETE /v1/tokens/{id} | {id} | ok",
        ], entries);
        Assert.DoesNotContain("s3cr3t-value", text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("aut_guessed", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfigWriteAndItsAuditEntryAreOneCommit()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        var store = (SqliteConfigStore)server.Plane.Config.Store;
        var head = store.AuditHead;
        var batches = store.CommittedBatches;
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PutAsync("/v1/config/orders/keys/Mode", new StringContent("fast"))).StatusCode);
        Assert.Equal(1, store.CommittedBatches - batches);
        // The entry was on disk before the answer came.
        Assert.Equal(head.Seq + 1, store.AuditHead.Seq);
        var last = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/audit?limit=1")).RootElement.GetProperty("entries")[0];
        Assert.Equal("PUT /v1/config/orders/keys/Mode", last.GetProperty("action").GetString());
        Assert.Equal(head.Hash, last.GetProperty("prevHash").GetString());
    }

    [Fact]
    public async Task SinceTakesATimeOrADurationAndRejectsAnythingElse()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        await server.Http.PutAsync("/v1/config/orders/keys/A", new StringContent("1"));
        Assert.NotEmpty(await EntriesAsync(server, "?since=1h"));
        Assert.NotEmpty(await EntriesAsync(server, "?since=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Empty(await EntriesAsync(server, "?since=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O", System.Globalization.CultureInfo.InvariantCulture))));
        using var bad = await server.Http.GetAsync("/v1/audit?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("RFC 3339", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> EntriesAsync(RunningServer server, string query = "") =>
        [.. JsonDocument.Parse(await server.Http.GetStringAsync("/v1/audit" + query)).RootElement.GetProperty("entries").EnumerateArray()];
}
