using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Registry;

/// <summary>Instances Autonomy does not run: registered through the API, kept alive by heartbeats, gone when they stop.</summary>
public sealed class ExternalInstanceTests
{
    private const string Compose = """
        name: external
        services:
          orders:
            command: sleep 300
        """;

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> Instance(HttpClient http, string service, string id)
    {
        var all = await RegistryApiTests.GetJson(http, $"/v1/registry/{service}?all=true");
        return all.GetProperty("instances").EnumerateArray().Single(i => i.GetProperty("id").GetString() == id);
    }

    private static async Task<bool> Listed(HttpClient http, string service, string id, bool all = false) =>
        (await RegistryApiTests.GetJson(http, $"/v1/registry/{service}{(all ? "?all=true" : "")}")).GetProperty("instances").EnumerateArray()
            .Any(i => i.GetProperty("id").GetString() == id);

    [Fact]
    public async Task AMissedTtlTakesTheInstanceOutOfRotationAHeartbeatBringsItBackAndSilenceRemovesIt()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        using (var registered = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1",
            Body("""{"address": "10.0.0.5", "port": 9000, "ttl": "1s", "deregister_after": "3s", "version": "2.1", "metadata": {"zone": "eu-1"}}""")))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            var view = await RegistryApiTests.Json(registered);
            Assert.Equal(("passing", "external", "1s", "3s"), (view.GetProperty("health").GetString(), view.GetProperty("source").GetString(),
                view.GetProperty("ttl").GetString(), view.GetProperty("deregister_after").GetString()));
        }
        var instance = await Instance(server.Http, "payments", "vm-1");
        Assert.Equal(("10.0.0.5", 9000, "2.1", "eu-1"), (instance.GetProperty("address").GetString(), instance.GetProperty("port").GetInt32(),
            instance.GetProperty("version").GetString(), instance.GetProperty("metadata").GetProperty("zone").GetString()));
        Assert.True(await Listed(server.Http, "payments", "vm-1"));

        // No heartbeat: critical once the TTL has run out (a blocking read wakes on it), and out of the healthy list.
        var index = (await RegistryApiTests.GetJson(server.Http, "/v1/registry/payments")).GetProperty("index").GetInt64();
        var changed = await RegistryApiTests.GetJson(server.Http, $"/v1/registry/payments?index={index}&wait=30s");
        Assert.Empty(changed.GetProperty("instances").EnumerateArray());
        instance = await Instance(server.Http, "payments", "vm-1");
        Assert.Equal("critical", instance.GetProperty("health").GetString());
        Assert.Contains("no heartbeat for", instance.GetProperty("output").GetString(), StringComparison.Ordinal);

        // A heartbeat makes it passing again.
        using (var beat = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1/heartbeat", null))
        {
            Assert.Equal("passing", (await RegistryApiTests.Json(beat)).GetProperty("health").GetString());
        }
        Assert.True(await Listed(server.Http, "payments", "vm-1"));

        // Silence past deregister_after removes it; a heartbeat then says how to come back.
        await RunningProject.WaitUntilAsync(() => !Listed(server.Http, "payments", "vm-1", all: true).Result, "the silent instance was removed", TimeSpan.FromSeconds(30));
        using var late = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1/heartbeat", null);
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
        Assert.Contains("register it again with PUT /v1/registry/payments/instances/vm-1", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARegistrationSurvivesAServerRestartCriticalUntilItsNextHeartbeat()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        using (var registered = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1", Body("""{"address": "10.0.0.5", "port": 9000, "ttl": "30s", "metadata": {"zone": "eu-1"}}""")))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }
        // Registering it again replaces it: 200, not a second instance.
        using (var again = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1", Body("""{"address": "10.0.0.6", "port": 9000, "ttl": "30s", "metadata": {"zone": "eu-1"}}""")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        await server.StopAsync();
        await server.StartAgainAsync();

        var restored = await Instance(server.Http, "payments", "vm-1");
        Assert.Equal(("critical", "10.0.0.6", "eu-1"), (restored.GetProperty("health").GetString(), restored.GetProperty("address").GetString(),
            restored.GetProperty("metadata").GetProperty("zone").GetString()));
        Assert.False(await Listed(server.Http, "payments", "vm-1"));
        using (var beat = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1/heartbeat", null))
        {
            beat.EnsureSuccessStatusCode();
        }
        Assert.True(await Listed(server.Http, "payments", "vm-1"));

        // A deregistration is durable too.
        using (var deleted = await server.Http.DeleteAsync("/v1/registry/payments/instances/vm-1"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        await server.StopAsync();
        await server.StartAgainAsync();
        Assert.False(await Listed(server.Http, "payments", "vm-1", all: true));
    }

    [Fact]
    public async Task EveryBadFieldIsNamedWithWhatToWrite()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        using var response = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1",
            Body("""{"address": "http://10.0.0.5:80", "port": 70000, "ttl": "soon", "deregister_after": "500ms", "metadata": {"zone": 1}, "tags": []}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("urn:autonomy:problem:invalid-body", problem.RootElement.GetProperty("type").GetString());
        var errors = problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("tags is not a field of this call", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("address is \"http://10.0.0.5:80\", which is not a host name or IP address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("port is 70000; give a whole number from 1 to 65535", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ttl is \"soon\"; give a duration", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("deregister_after is \"500ms\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("metadata.zone is 1; metadata values are text", StringComparison.Ordinal));

        using var shorter = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1", Body("""{"address": "10.0.0.5", "port": 80, "ttl": "10s", "deregister_after": "5s"}"""));
        Assert.Contains("deregister_after (5s) must be longer than ttl (10s)", await shorter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var missing = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1", Body("{}"));
        var text = await missing.Content.ReadAsStringAsync();
        Assert.Contains("address is missing", text, StringComparison.Ordinal);
        Assert.Contains("port is missing", text, StringComparison.Ordinal);
        using var notJson = await server.Http.PutAsync("/v1/registry/payments/instances/vm-1", Body("{address"));
        Assert.Contains("the body is not JSON", await notJson.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReplicasIdCannotBeTakenAndOnlyAWriterMayRegister()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        foreach (var id in new[] { "orders-1", "orders-7" })
        {
            using var taken = await server.Http.PutAsync($"/v1/registry/orders/instances/{id}", Body("""{"address": "10.0.0.5", "port": 80}"""));
            Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
            Assert.Contains("urn:autonomy:problem:instance-is-a-replica", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var heartbeat = await server.Http.PutAsync("/v1/registry/orders/instances/orders-1/heartbeat", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, heartbeat.StatusCode);
        }
        using (var delete = await server.Http.DeleteAsync("/v1/registry/orders/instances/orders-1"))
        {
            Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        }
        Assert.True(await Listed(server.Http, "orders", "orders-1"));

        // An external:payments token registers payments' instances, reads every service, and nothing else.
        using var made = await server.Http.PostAsJsonAsync("/v1/tokens", new { role = "external:payments", ttl = "1h" });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        using var payments = server.Client((await RegistryApiTests.Json(made)).GetProperty("token").GetString());
        using (var own = await payments.PutAsync("/v1/registry/payments/instances/vm-1", Body("""{"address": "10.0.0.5", "port": 80}""")))
        {
            Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        }
        Assert.True(await Listed(payments, "orders", "orders-1"));
        using (var other = await payments.PutAsync("/v1/registry/billing/instances/vm-1", Body("""{"address": "10.0.0.5", "port": 80}""")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            Assert.Contains("missing permission registry:write:billing", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var config = await payments.GetAsync("/v1/config/orders"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, config.StatusCode);
        }
        using (var heartbeat = await payments.PutAsync("/v1/registry/payments/instances/vm-1/heartbeat", null))
        {
            heartbeat.EnsureSuccessStatusCode();
        }
        using (var delete = await payments.DeleteAsync("/v1/registry/payments/instances/vm-1"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        // Registering and deregistering are in the audit log; heartbeats are not (they are the instance's liveness, not a change).
        var actions = (await RegistryApiTests.GetJson(server.Http, "/v1/audit")).GetProperty("entries").EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()!).ToList();
        Assert.Contains("PUT /v1/registry/payments/instances/vm-1", actions);
        Assert.Contains("DELETE /v1/registry/payments/instances/vm-1", actions);
        Assert.DoesNotContain(actions, a => a.EndsWith("/heartbeat", StringComparison.Ordinal) && a.Contains("payments", StringComparison.Ordinal));
    }
}
