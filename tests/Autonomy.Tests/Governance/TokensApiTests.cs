using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Server.Governance;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Governance;

/// <summary>Made tokens: shown once, kept only as a hash, listed without the token, refused once revoked or expired, kept across restarts.</summary>
public sealed class TokensApiTests
{
    private const string Compose = "name: tokens\nservices:\n  orders:\n    command: sleep 300\n";

    [Fact]
    public async Task AMadeTokenWorksIsListedWithoutItselfAndIsStoredOnlyAsAHash()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        var (id, token) = await MakeAsync(server, new { role = "read-only", ttl = "12h", name = "dashboard" });
        Assert.StartsWith("tok_", id, StringComparison.Ordinal);
        using var reader = server.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/services")).StatusCode);

        var listText = await server.Http.GetStringAsync("/v1/tokens");
        Assert.DoesNotContain(token, listText, StringComparison.Ordinal);
        var listed = JsonDocument.Parse(listText).RootElement.EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);
        Assert.Equal(("stored", "read-only", "dashboard", "active"),
            (listed.GetProperty("kind").GetString(), listed.GetProperty("role").GetString(), listed.GetProperty("name").GetString(), listed.GetProperty("status").GetString()));
        var lifetime = listed.GetProperty("expires").GetDateTimeOffset() - listed.GetProperty("created").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(12), lifetime);
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("lastUsed").ValueKind);
        Assert.Contains(JsonDocument.Parse(listText).RootElement.EnumerateArray(), t => t.GetProperty("id").GetString() == "admin" && t.GetProperty("kind").GetString() == "file");

        // Across a restart of the server the token still works: the store has its hash, never the token.
        await server.StopAsync();
        var database = await File.ReadAllBytesAsync(Path.Combine(server.Plane.StateDirectory, "config.db"));
        Assert.DoesNotContain(token, System.Text.Encoding.Latin1.GetString(database), StringComparison.Ordinal);
        Assert.Contains(TokenHash.Of(token).ToHex(), System.Text.Encoding.Latin1.GetString(database), StringComparison.Ordinal);
        await server.StartAgainAsync();
        using var afterRestart = server.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await afterRestart.GetAsync("/v1/services")).StatusCode);
    }

    [Fact]
    public async Task ARevokedTokenIsRefusedAtOnceAndAfterARestart()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        var (id, token) = await MakeAsync(server, new { role = "admin" });
        using var client = server.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/tokens")).StatusCode);

        using var revoked = await server.Http.DeleteAsync($"/v1/tokens/{id}");
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("revoked", JsonDocument.Parse(await revoked.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        using var refused = await client.GetAsync("/v1/tokens");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains($"token {id} was revoked", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await server.StopAsync();
        await server.StartAgainAsync();
        using var later = server.Client(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await later.GetAsync("/v1/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.DeleteAsync("/v1/tokens/tok_nosuchtoken")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.DeleteAsync("/v1/tokens/admin")).StatusCode);
    }

    [Fact]
    public async Task AnExpiredTokenIsRefusedSayingSo()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        // The API's shortest lifetime is a minute; the registry itself takes any, which spares the test a wait.
        var (token, secret) = await server.Plane.Tokens.CreateAsync("admin", PermissionSet.Everything, TimeSpan.FromMilliseconds(1), null, null, CancellationToken.None);
        await Task.Delay(20);
        using var client = server.Client(secret);
        using var refused = await client.GetAsync("/v1/services");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains($"token {token.Id} expired", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var listed = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/tokens")).RootElement.EnumerateArray().Single(t => t.GetProperty("id").GetString() == token.Id);
        Assert.Equal("expired", listed.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"role":"root"}""", "invalid-role", "'root' is not a role: use admin, read-only or service:NAME")]
    [InlineData("""{"role":"service:nosuch"}""", "invalid-role", "there is no service 'nosuch' in this project; its services are orders")]
    [InlineData("""{}""", "invalid-role", "give a role")]
    [InlineData("""{"role":"admin","ttl":"soon"}""", "invalid-ttl", "ttl is 'soon'")]
    [InlineData("""{"role":"admin","ttl":"10s"}""", "invalid-ttl", "at least 1m")]
    public async Task ABadRequestSaysWhatToChange(string body, string type, string detail)
    {
        await using var server = await RunningServer.StartAsync(Compose);
        using var response = await server.Http.PostAsync("/v1/tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal($"urn:autonomy:problem:{type}", problem.GetProperty("type").GetString());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenCannotMakeATokenThatMayDoMoreThanItself()
    {
        await using var server = await RunningServer.StartAsync("""
            name: escalation
            services:
              ops:
                command: sleep 300
                x-autonomy:
                  grants: [tokens:manage, config:read]
            """);
        var (_, ops) = await MakeAsync(server, new { role = "service:ops" });
        using var client = server.Client(ops);
        using var refused = await client.PostAsJsonAsync("/v1/tokens", new { role = "admin" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("missing permission every permission (the admin role)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var alsoRefused = await client.PostAsJsonAsync("/v1/tokens", new { role = "read-only" });
        Assert.Equal(HttpStatusCode.Forbidden, alsoRefused.StatusCode);
        // Its own role is within what it holds.
        using var allowed = await client.PostAsJsonAsync("/v1/tokens", new { role = "service:ops" });
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task AMadeServiceTokenFollowsItsServicesGrantsWhenTheProjectChanges()
    {
        await using var server = await RunningServer.StartAsync("name: regrant\nservices:\n  orders:\n    command: sleep 300\n  billing:\n    command: sleep 300\n");
        var (_, token) = await MakeAsync(server, new { role = "service:orders" });
        using var orders = server.Client(token);
        Assert.Equal(HttpStatusCode.Forbidden, (await orders.GetAsync("/v1/config/billing")).StatusCode);

        server.Files.Write("compose.yaml", """
            name: regrant
            services:
              orders:
                command: sleep 300
                x-autonomy:
                  grants: [config:read:billing]
              billing:
                command: sleep 300
            """);
        using var reconciled = await server.Http.PostAsJsonAsync("/v1/reconcile", new
        {
            files = new[] { "compose.yaml" },
            workingDirectory = server.Files.Directory,
            environment = new Dictionary<string, string> { ["HOME"] = "/home/test" },
        });
        Assert.True(reconciled.IsSuccessStatusCode, await reconciled.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await orders.GetAsync("/v1/config/billing")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await orders.PutAsync("/v1/config/billing/keys/A", new StringContent("1"))).StatusCode);
    }

    internal static async Task<(string Id, string Token)> MakeAsync(RunningServer server, object request)
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/tokens", request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (created.GetProperty("id").GetString()!, created.GetProperty("token").GetString()!);
    }
}
