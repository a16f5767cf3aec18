using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.Config;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Registry;

/// <summary>The registry over HTTP: replicas as they run, blocking reads that wake on a change, and the event stream.</summary>
public sealed class RegistryApiTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync("""
        name: registryapi
        services:
          orders:
            command: sleep 300
            labels: {tier: backend}
          web:
            command: sleep 300
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    internal static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    internal static async Task<JsonElement> GetJson(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return await Json(response);
    }

    [Fact]
    public async Task EveryReplicaIsListedWithItsAddressHealthVersionAndLabels()
    {
        var services = await GetJson(_server.Http, "/v1/registry");
        Assert.Equal(["orders", "web"], services.EnumerateArray().Select(s => s.GetProperty("service").GetString()));
        Assert.All(services.EnumerateArray(), s => Assert.Equal((1, 1), (s.GetProperty("instances").GetInt32(), s.GetProperty("passing").GetInt32())));

        using var response = await _server.Http.GetAsync("/v1/registry/orders");
        var orders = await Json(response);
        Assert.Equal(orders.GetProperty("index").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("X-Autonomy-Index").Single());
        var instance = orders.GetProperty("instances").EnumerateArray().Single();
        Assert.Equal("orders-1", instance.GetProperty("id").GetString());
        Assert.Equal("127.0.0.1", instance.GetProperty("address").GetString());
        Assert.Equal(_server.Plane.Supervisor.Status().Single(s => s.Name == "orders").Replicas[0].Port, instance.GetProperty("port").GetInt32());
        Assert.Equal("passing", instance.GetProperty("health").GetString());
        Assert.Equal("autonomy", instance.GetProperty("source").GetString());
        Assert.Equal("backend", instance.GetProperty("metadata").GetProperty("tier").GetString());
        Assert.Equal(16, instance.GetProperty("version").GetString()!.Length);
        Assert.False(instance.GetProperty("draining").GetBoolean());
        Assert.True(instance.GetProperty("modify_index").GetInt64() > 0);
    }

    [Fact]
    public async Task AServiceNotYetRunningIsAnEmptyListNotAnErrorAndABadNameIsNamed()
    {
        var nothing = await GetJson(_server.Http, "/v1/registry/payments?all=true");
        Assert.Empty(nothing.GetProperty("instances").EnumerateArray());

        using var bad = await _server.Http.GetAsync("/v1/registry/-orders");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'-orders' is not a service name", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABlockingReadReturnsWhenTheServiceChangesAndNotForAnotherServicesChange()
    {
        var index = (await GetJson(_server.Http, "/v1/registry/orders")).GetProperty("index").GetInt64();
        var waiting = _server.Http.GetAsync($"/v1/registry/orders?index={index}&wait=60s");

        // A change to web does not answer a read of orders.
        using (var scaled = await _server.Http.PostAsJsonAsync("/v1/services/web/scale", new { replicas = 2 }))
        {
            scaled.EnsureSuccessStatusCode();
        }
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);

        using (var scaled = await _server.Http.PostAsJsonAsync("/v1/services/orders/scale", new { replicas = 2 }))
        {
            scaled.EnsureSuccessStatusCode();
        }
        using var answered = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        var after = await Json(answered);
        Assert.True(after.GetProperty("index").GetInt64() > index);
        Assert.Contains("orders-2", after.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        // Nothing new: the wait ends with the same list and index.
        var quiet = await GetJson(_server.Http, $"/v1/registry/web?index={_server.Plane.Registry.Index}&wait=200ms");
        Assert.Equal(_server.Plane.Registry.Index, quiet.GetProperty("index").GetInt64());

        using var badWait = await _server.Http.GetAsync($"/v1/registry/orders?index=1&wait=forever");
        Assert.Equal(HttpStatusCode.BadRequest, badWait.StatusCode);
    }

    [Fact]
    public async Task TheEventStreamStartsWithASnapshotThenSendsChangesAndResumesWhereItLeftOff()
    {
        using var stream = await SseStream.OpenAsync(_server.Http, "/v1/registry/orders/events");
        var snapshot = (await stream.ReadAsync(1))[0];
        Assert.Equal("snapshot", snapshot.Event);
        Assert.Equal(["orders-1"], snapshot.Data.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        await Register("orders", "vm-1", """{"address": "10.1.2.3", "port": 8080, "ttl": "30s"}""");
        var put = (await stream.ReadAsync(1))[0];
        Assert.Equal(("put", "vm-1", "external"), (put.Event, put.Data.GetProperty("id").GetString(), put.Data.GetProperty("source").GetString()));
        var resumeFrom = stream.LastEventId!;
        stream.Dispose();

        // While away: a change elsewhere (not sent), then the instance leaves.
        await Register("web", "vm-2", """{"address": "10.1.2.4", "port": 8080}""");
        using (var deleted = await _server.Http.DeleteAsync("/v1/registry/orders/instances/vm-1"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using var resumed = await SseStream.OpenAsync(_server.Http, "/v1/registry/orders/events", resumeFrom);
        var missed = (await resumed.ReadAsync(1))[0];
        Assert.Equal(("delete", "vm-1"), (missed.Event, missed.Data.GetProperty("id").GetString()));

        // A position the registry no longer reaches back to (here: one from before a restart) starts again from a snapshot.
        using var stale = await SseStream.OpenAsync(_server.Http, $"/v1/registry/orders/events?after={long.MaxValue / 2}");
        Assert.Equal("snapshot", (await stale.ReadAsync(1))[0].Event);
    }

    private async Task Register(string service, string id, string body)
    {
        using var response = await _server.Http.PutAsync($"/v1/registry/{service}/instances/{id}", new StringContent(body, Encoding.UTF8, "application/json"));
        await Json(response);
    }
}
