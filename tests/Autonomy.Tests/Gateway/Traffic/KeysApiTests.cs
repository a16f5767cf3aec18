using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary><c>/v1/keys</c> on the real server, and a key's quota across a restart of that server.</summary>
public sealed class KeysApiTests
{
    private const string Compose = "name: keys\nservices:\n  web:\n    command: sleep 300\n";

    // web's first route needs a key: the server loads that rule into traffic control from the file, as it runs.
    private const string RoutedCompose = "name: keys\nservices:\n  web:\n    command: sleep 300\n    x-autonomy:\n      routes: [{path: /, api_key: required}]\n";

    [Fact]
    public async Task KeysAreMadeListedAndRevokedByTheAdminOnlyAndAuditedWithoutTheKey()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        using var created = await server.Http.PostAsJsonAsync("/v1/keys", new { routes = new[] { "web/0", "web" }, quota = "1000/day", name = "partner" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var (id, key) = (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
        Assert.Matches("^key_[0-9a-f]{12}$", id);
        Assert.StartsWith("ak_", key, StringComparison.Ordinal);
        Assert.Equal("1000/day", body.GetProperty("quota").GetString());

        var listed = await server.Http.GetStringAsync("/v1/keys");
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        var entry = JsonDocument.Parse(listed).RootElement.EnumerateArray().Single();
        Assert.Equal((id, "partner", "1000/day", 0L, "active"), (entry.GetProperty("id").GetString(), entry.GetProperty("name").GetString(),
            entry.GetProperty("quota").GetString(), entry.GetProperty("used").GetInt64(), entry.GetProperty("status").GetString()));
        Assert.Equal(["web/0", "web"], entry.GetProperty("routes").EnumerateArray().Select(r => r.GetString()));

        // Only the admin: a read-only token may not even list them.
        using var make = await server.Http.PostAsJsonAsync("/v1/tokens", new { role = "read-only", ttl = "1h" });
        using var reader = server.Client(JsonDocument.Parse(await make.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/v1/keys", new { routes = new[] { "web/0" } })).StatusCode);

        using (var revoked = await server.Http.DeleteAsync($"/v1/keys/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            Assert.Equal("revoked", JsonDocument.Parse(await revoked.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        }
        await ApiKeyTests.AssertProblemAsync(await server.Http.DeleteAsync("/v1/keys/key_000000000000"), HttpStatusCode.NotFound, "unknown-api-key",
            "there is no API key 'key_000000000000'; 'autonomy keys list' shows them");

        var audit = await server.Http.GetStringAsync("/v1/audit");
        Assert.DoesNotContain(key, audit, StringComparison.Ordinal);
        var entries = JsonDocument.Parse(audit).RootElement.GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("action").GetString(), e.GetProperty("target").GetString(), e.GetProperty("outcome").GetString())).ToList();
        Assert.Contains(("POST /v1/keys", id, "ok"), entries);
        Assert.Contains(($"DELETE /v1/keys/{id}", id, "ok"), entries);
        Assert.Contains(entries, e => e.Item1 == "GET /v1/keys" && e.Item3 == "403");

        var state = Path.Combine(server.Plane.StateDirectory, "config.db");
        var onDisk = string.Concat(new[] { "", "-wal" }.Where(s => File.Exists(state + s)).Select(s => Encoding.Latin1.GetString(File.ReadAllBytes(state + s))));
        Assert.Contains(id, onDisk, StringComparison.Ordinal);
        Assert.DoesNotContain(key, onDisk, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"routes": []}""", "invalid-routes", "give 1 to 100 routes the key opens")]
    [InlineData("""{"routes": ["shop/0"]}""", "invalid-routes", "'shop/0': there is no service 'shop' in this project; the services are web")]
    [InlineData("""{"routes": ["web/zero"]}""", "invalid-routes", "'web/zero' is not a route: write a route id as <service>/<index>")]
    [InlineData("""{"routes": ["web/0"], "quota": "10/week"}""", "invalid-quota", "quota is '10/week'; write a number of requests from 1 to 1000000000000 per day or month, e.g. '1000/day'")]
    [InlineData("""{"routes": ["web/0"], "quota": "0/day"}""", "invalid-quota", "quota is '0/day'")]
    public async Task ABadRequestIsRefusedSayingWhatToWrite(string request, string type, string detail)
    {
        await using var server = await RunningServer.StartAsync(Compose);
        using var content = new StringContent(request, Encoding.UTF8, "application/json");
        await ApiKeyTests.AssertProblemAsync(await server.Http.PostAsync("/v1/keys", content), HttpStatusCode.BadRequest, type, detail);
        Assert.Equal("[]", await server.Http.GetStringAsync("/v1/keys"));
    }

    [Fact]
    public async Task AQuotaIsStillEnforcedAfterTheServerRestarts()
    {
        await using var server = await RunningServer.StartAsync(RoutedCompose);
        using var created = await server.Http.PostAsJsonAsync("/v1/keys", new { routes = new[] { "web/0" }, quota = "3/day" });
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var (id, key) = (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
        await using var host = await TrafficHost.StartAsync(() => server.Plane.Traffic);
        using var client = host.Client();
        Assert.Equal(HttpStatusCode.OK, (await Send()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send()).StatusCode);

        await server.StopAsync();
        await server.StartAgainAsync();
        Assert.Equal(HttpStatusCode.OK, (await Send()).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send()).StatusCode);
        var listed = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/keys")).RootElement.EnumerateArray().Single();
        Assert.Equal((id, 3L), (listed.GetProperty("id").GetString(), listed.GetProperty("used").GetInt64()));

        Task<HttpResponseMessage> Send()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/web/0/");
            request.Headers.Add("X-Api-Key", key);
            return client.SendAsync(request);
        }
    }
}
