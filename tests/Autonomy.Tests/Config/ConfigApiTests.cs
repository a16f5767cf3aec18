using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Config;

/// <summary>The config API over real HTTP: keys, transactions, compare-and-set, history, rollback, diff, blocking reads.</summary>
public sealed class ConfigApiTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() =>
        _server = await RunningServer.StartAsync("name: configapi\nservices:\n  web:\n    command: sleep 300\n  worker:\n    command: sleep 300\n");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<long> Put(string ns, string key, string value, string contentType = "text/plain")
    {
        using var response = await Http.PutAsync($"/v1/config/{ns}/keys/{key}", new StringContent(value, Encoding.UTF8, contentType));
        return (await Json(response)).GetProperty("revision").GetInt64();
    }

    [Fact]
    public async Task EveryServiceHasANamespaceAndThereIsAShared()
    {
        var namespaces = await Json(await Http.GetAsync("/v1/config"));
        Assert.Equal([".canaries", "shared", "web", "worker"], namespaces.EnumerateArray().Select(n => n.GetProperty("name").GetString()).Order());
        Assert.Equal(HttpStatusCode.Created, (await Http.PutAsync("/v1/config/payments", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsync("/v1/config/payments", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PutAsync("/v1/config/no%20spaces", null)).StatusCode);
    }

    [Fact]
    public async Task KeysAreWrittenReadListedAndDeleted()
    {
        var first = await Put("web", "Logging:LogLevel:Default", "Information");
        await Put("web", "Features:Search", "{\"enabled\":true}", "application/json");
        var entry = await Json(await Http.GetAsync("/v1/config/web/keys/Logging:LogLevel:Default"));
        Assert.Equal("Information", entry.GetProperty("value").GetString());
        Assert.Equal("text/plain", entry.GetProperty("contentType").GetString());
        Assert.Equal(first, entry.GetProperty("revision").GetInt64());

        using var listed = await Http.GetAsync("/v1/config/web?prefix=Features");
        var list = await Json(listed);
        Assert.Equal("application/json", list.GetProperty("entries")[0].GetProperty("contentType").GetString());
        Assert.Equal(1, list.GetProperty("entries").GetArrayLength());
        Assert.Equal(list.GetProperty("revision").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), listed.Headers.GetValues("X-Autonomy-Index").Single());

        await Json(await Http.DeleteAsync("/v1/config/web/keys/Features:Search"));
        var missing = await Http.GetAsync("/v1/config/web/keys/Features:Search");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("unknown-key", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/v1/config/nope/keys/A")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PutAsync("/v1/config/web/keys/A::B", new StringContent("x"))).StatusCode);
    }

    [Fact]
    public async Task CompareAndSetRefusesAStaleWriteWithTheCurrentRevision()
    {
        var created = await Put("web", "Counter", "1");
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsync($"/v1/config/web/keys/Counter?cas={created}", new StringContent("2"))).StatusCode);
        using var stale = await Http.PutAsync($"/v1/config/web/keys/Counter?cas={created}", new StringContent("3"));
        var problem = await Json(stale, HttpStatusCode.Conflict);
        Assert.Equal("urn:autonomy:problem:compare-failed", problem.GetProperty("type").GetString());
        Assert.Equal(created + 1, problem.GetProperty("revision").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PutAsync("/v1/config/web/keys/Counter?cas=0", new StringContent("x"))).StatusCode);
        Assert.Equal("2", (await Json(await Http.GetAsync("/v1/config/web/keys/Counter"))).GetProperty("value").GetString());
    }

    [Fact]
    public async Task ATransactionIsOneRevisionOrNothing()
    {
        await Put("web", "A", "1");
        var body = new { operations = new object[] { new { op = "set", key = "B", value = "2" }, new { op = "delete", key = "A" } } };
        var revision = (await Json(await Http.PostAsJsonAsync("/v1/config/web/txn", body))).GetProperty("revision").GetInt64();
        var list = await Json(await Http.GetAsync("/v1/config/web"));
        Assert.Equal(["B"], list.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("key").GetString()));
        Assert.Equal(revision, list.GetProperty("revision").GetInt64());

        var refused = new { operations = new object[] { new { op = "set", key = "C", value = "3" } }, compares = new object[] { new { key = "B", revision = revision - 1 } } };
        await Json(await Http.PostAsJsonAsync("/v1/config/web/txn", refused), HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/v1/config/web/keys/C")).StatusCode);
        var bad = await Http.PostAsJsonAsync("/v1/config/web/txn", new { operations = new object[] { new { op = "rename", key = "B" } } });
        Assert.Contains("operations[0]", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HistoryRollbackAndDiff()
    {
        var v1 = await Put("web", "Greeting", "hello");
        await Put("web", "Mode", "fast");
        await Put("web", "Greeting", "hi");
        await Json(await Http.DeleteAsync("/v1/config/web/keys/Mode"));
        await Put("web", "Extra", "x");

        var history = await Json(await Http.GetAsync("/v1/config/web/history?key=Greeting"));
        Assert.Equal(["hi", "hello"], history.EnumerateArray().Select(v => v.GetProperty("value").GetString()));
        Assert.All(history.EnumerateArray(), v => Assert.Equal("admin", v.GetProperty("author").GetString()));

        var diff = await Json(await Http.GetAsync($"/v1/config/web/diff?from={v1 + 1}"));
        Assert.Equal(["Extra", "Greeting", "Mode"], diff.EnumerateArray().Select(d => d.GetProperty("key").GetString()));

        // The key alone, then the whole namespace, back to how it was after v1 + 1; each a new revision.
        await Json(await Http.PostAsJsonAsync("/v1/config/web/rollback", new { revision = v1, key = "Greeting" }));
        Assert.Equal("hello", (await Json(await Http.GetAsync("/v1/config/web/keys/Greeting"))).GetProperty("value").GetString());
        var rolled = (await Json(await Http.PostAsJsonAsync("/v1/config/web/rollback", new { revision = v1 + 1 }))).GetProperty("revision").GetInt64();
        var now = await Json(await Http.GetAsync("/v1/config/web"));
        Assert.Equal(new Dictionary<string, string?> { ["Greeting"] = "hello", ["Mode"] = "fast" },
            now.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString()));
        Assert.Equal(rolled, now.GetProperty("revision").GetInt64());
        Assert.Equal(3, (await Json(await Http.GetAsync("/v1/config/web/history?key=Greeting"))).GetArrayLength());
    }

    [Fact]
    public async Task ABlockingReadReturnsAtTheChangeOrAtTheWait()
    {
        var index = (await Json(await Http.GetAsync("/v1/config/web"))).GetProperty("revision").GetInt64();
        var started = System.Diagnostics.Stopwatch.StartNew();
        using (var timedOut = await Http.GetAsync($"/v1/config/web?index={index}&wait=300ms"))
        {
            Assert.Equal(index, (await Json(timedOut)).GetProperty("revision").GetInt64());
            Assert.True(started.ElapsedMilliseconds >= 250, $"returned after {started.ElapsedMilliseconds} ms");
        }

        var waiting = Http.GetAsync($"/v1/config/web?index={index}&wait=30s");
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        await Put("worker", "Other", "1");
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        var written = await Put("web", "Now", "1");
        using var changed = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        var body = await Json(changed);
        Assert.Equal(written, body.GetProperty("revision").GetInt64());
        Assert.Equal("Now", body.GetProperty("entries")[0].GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"/v1/config/web?index={index}&wait=forever")).StatusCode);
    }
}
