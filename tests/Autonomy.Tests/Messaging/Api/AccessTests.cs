using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Api;

/// <summary>
/// Who may do what in the broker, through the real server: each service's token and broker user reach its own
/// vhost only, MESSAGE_QUEUE_HTTP_URL works as it is (with curl, as a user would use it), and a user an admin
/// made is held to its configure, write and read patterns.
/// </summary>
public sealed class AccessTests : IAsyncLifetime
{
    private const string Compose = """
        name: mqaccess
        services:
          orders:
            command: sh -c 'echo "$$MESSAGE_QUEUE_HTTP_URL" > orders.url; echo "$$AUTONOMY_TOKEN" > orders.token; exec sleep 300'
          billing:
            command: sh -c 'echo "$$MESSAGE_QUEUE_HTTP_URL" > billing.url; exec sleep 300'
          worker:
            command: sh -c 'echo "$$MESSAGE_QUEUE_HTTP_URL" > worker.url; exec sleep 300'
            x-autonomy:
              grants: [messaging:consume:orders]
        """;

    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(Compose);
        foreach (var file in new[] { "orders.url", "orders.token", "billing.url", "worker.url" })
        {
            var path = _server.Files.PathOf(file);
            await RunningProject.WaitUntilAsync(() => File.Exists(path) && File.ReadAllText(path).EndsWith('\n'), $"the service wrote {file}");
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Read(string file) => File.ReadAllText(_server.Files.PathOf(file)).Trim();

    /// <summary>A client that sends the URL's user and password as Basic, as curl and most HTTP libraries do.</summary>
    private HttpClient BasicClient(string url)
    {
        var uri = new Uri(url);
        var client = _server.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
        return client;
    }

    [Fact]
    public async Task EachServiceGetsAUrlToItsOwnVhostWithAUserOfItsOwn()
    {
        var url = new Uri(Read("orders.url"));
        Assert.Equal("127.0.0.1", url.Host);
        Assert.Equal(_server.BaseAddress.Port, url.Port);
        Assert.Equal("/v1/mq/vhosts/orders", url.AbsolutePath);
        var (user, password) = (url.UserInfo.Split(':')[0], url.UserInfo.Split(':')[1]);
        Assert.Equal("orders", user);
        Assert.True(password.Length >= 32);
        Assert.NotEqual(password, new Uri(Read("billing.url")).UserInfo.Split(':')[1]);
        // Never shown by the API that lists services, nor by the users' list.
        Assert.DoesNotContain(password, (await _server.Http.SendAsync("GET", "/v1/services")).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(password, (await _server.Http.SendAsync("GET", "/v1/mq/users")).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServicesTokenAndUserCannotSeeOrTouchAnotherServicesVhost()
    {
        using var token = _server.Client(Read("orders.token"));
        using var user = BasicClient(Read("orders.url"));
        foreach (var (who, client, role) in new[] { ("token", token, "service:orders"), ("user", user, "broker-user:orders") })
        {
            await client.SendAsync("PUT", "/v1/mq/vhosts/orders/queues/mine", new { });
            await client.SendAsync("GET", "/v1/mq/vhosts/orders/queues");
            foreach (var (method, path, body, permission) in new (string, string, object?, string)[]
            {
                ("GET", "/v1/mq/vhosts/billing/queues", null, "messaging:read:billing"),
                ("PUT", "/v1/mq/vhosts/billing/queues/theirs", new { }, "messaging:configure:billing"),
                ("POST", "/v1/mq/vhosts/billing/exchanges/amq.default/publish", new { routing_key = "x", payload = "x" }, "messaging:write:billing"),
                ("GET", "/v1/mq/vhosts/billing/queues/x/messages", null, "messaging:consume:billing"),
                ("PUT", "/v1/mq/vhosts/scratch", null, "messaging:manage"),
                ("GET", "/v1/mq/vhosts", null, "messaging:read"),
            })
            {
                var problem = await client.ProblemAsync(method, path, body, HttpStatusCode.Forbidden, "forbidden");
                Assert.True(problem.Text("permission") == permission, $"{who}: {method} {path}: {problem}");
                Assert.Equal($"missing permission {permission} (the token's role is {role})", problem.Text("detail"));
            }
        }
        // A broker user has the messaging routes of its vhost and nothing else.
        Assert.Equal("services:read", (await user.ProblemAsync("GET", "/v1/services", null, HttpStatusCode.Forbidden, "forbidden")).Text("permission"));
        Assert.Equal("config:read:orders", (await user.ProblemAsync("GET", "/v1/config/orders", null, HttpStatusCode.Forbidden, "forbidden")).Text("permission"));
        // The token itself works as Basic's password too (the user name is then not looked at).
        using var tokenAsPassword = BasicClient($"http://anyone:{Read("orders.token")}@127.0.0.1/");
        await tokenAsPassword.SendAsync("GET", "/v1/config/orders");
    }

    [Fact]
    public async Task AWrongPasswordIs401AndAsksForBasic()
    {
        var url = new Uri(Read("orders.url"));
        using var wrong = BasicClient($"http://orders:{url.UserInfo.Split(':')[1]}x@127.0.0.1/");
        using var response = await wrong.GetAsync("/v1/mq/vhosts/orders/queues");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Basic", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("user name or password is wrong", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGrantLetsAServicesUserConsumeFromAnotherVhostAndNothingMore()
    {
        await _server.Http.SendAsync("PUT", "/v1/mq/vhosts/orders/queues/confirmations", new { });
        await _server.Http.SendAsync("POST", "/v1/mq/vhosts/orders/exchanges/amq.default/publish", new { routing_key = "confirmations", payload = "order 1" });
        using var worker = BasicClient(Read("worker.url"));
        var got = (await worker.SendAsync("GET", "/v1/mq/vhosts/orders/queues/confirmations/messages")).EnumerateArray().Single();
        await worker.SendAsync("POST", "/v1/mq/vhosts/orders/queues/confirmations/ack", new { receipts = new[] { got.Text("receipt") } });
        Assert.Equal("messaging:write:orders",
            (await worker.ProblemAsync("POST", "/v1/mq/vhosts/orders/exchanges/amq.default/publish", new { routing_key = "x", payload = "x" }, HttpStatusCode.Forbidden, "forbidden")).Text("permission"));
        Assert.Equal("messaging:configure:orders",
            (await worker.ProblemAsync("PUT", "/v1/mq/vhosts/orders/queues/new", new { }, HttpStatusCode.Forbidden, "forbidden")).Text("permission"));
    }

    [Fact]
    public async Task CurlPublishesAndReceivesWithTheUrlAsItIs()
    {
        var url = Read("orders.url");
        async Task<string> Curl(params string[] args)
        {
            var start = new ProcessStartInfo("curl", ["-sS", "--fail-with-body", .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["MESSAGE_QUEUE_HTTP_URL"] = url;
            using var curl = Process.Start(start)!;
            var output = await curl.StandardOutput.ReadToEndAsync();
            var error = await curl.StandardError.ReadToEndAsync();
            await curl.WaitForExitAsync();
            Assert.True(curl.ExitCode == 0, $"curl {string.Join(' ', args)}: {error}{output}");
            return output;
        }

        await Curl("-X", "PUT", $"{url}/queues/emails");
        var published = await Curl("-H", "Content-Type: text/plain", "--data-binary", "welcome, Ada", $"{url}/exchanges/amq.default/publish?routing_key=emails");
        Assert.Contains("\"outcome\":\"routed\"", published, StringComparison.Ordinal);
        using var messages = System.Text.Json.JsonDocument.Parse(await Curl($"{url}/queues/emails/messages?wait=5&lease=60"));
        var message = messages.RootElement.EnumerateArray().Single();
        Assert.Equal("welcome, Ada", message.Text("payload"));
        Assert.Equal("text/plain", message.GetProperty("properties").Text("content_type"));
        var acked = await Curl("-H", "Content-Type: application/json", "-d", $"{{\"receipts\":[\"{message.Text("receipt")}\"]}}", $"{url}/queues/emails/ack");
        Assert.Contains("\"acknowledged\":1", acked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUserAnAdminMadeIsHeldToItsPatterns()
    {
        var admin = _server.Http;
        Assert.Equal("stored", (await admin.SendAsync("PUT", "/v1/mq/users/app", new { password = "app-password-1", tags = "monitoring" }, HttpStatusCode.Created)).Text("kind"));
        await admin.ProblemAsync("PUT", "/v1/mq/users/app", new { password = "short" }, HttpStatusCode.BadRequest, "invalid-body");
        await admin.ProblemAsync("PUT", "/v1/mq/users/orders", new { password = "long enough" }, HttpStatusCode.Conflict, "mq-service-user");
        await admin.ProblemAsync("PUT", "/v1/mq/vhosts/orders/permissions/app", new { configure = "(", write = "", read = "" }, HttpStatusCode.BadRequest, "invalid-body");
        await admin.SendAsync("PUT", "/v1/mq/vhosts/orders/permissions/app", new { configure = "^app-", write = "^app-", read = "" });
        using var app = BasicClient("http://app:app-password-1@127.0.0.1/");
        const string v = "/v1/mq/vhosts/orders";

        await app.SendAsync("PUT", $"{v}/queues/app-jobs", new { }, HttpStatusCode.Created);
        await app.SendAsync("PUT", $"{v}/exchanges/app-events", new { type = "fanout" }, HttpStatusCode.Created);
        var configure = await app.ProblemAsync("PUT", $"{v}/queues/jobs", new { }, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("ACCESS_REFUSED - configure access to queue 'jobs' in vhost 'orders' refused for user 'app' (its configure pattern is '^app-')", configure.Text("detail"));
        Assert.Equal("unroutable", (await app.SendAsync("POST", $"{v}/exchanges/app-events/publish", new { routing_key = "", payload = "x" })).Text("outcome"));
        var write = await app.ProblemAsync("POST", $"{v}/exchanges/amq.default/publish", new { routing_key = "app-jobs", payload = "x" }, HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("write access to exchange 'amq.default'", write.Text("detail"), StringComparison.Ordinal);
        // No read pattern: nothing to consume, and no binding from an exchange it cannot read.
        Assert.Equal("messaging:consume:orders", (await app.ProblemAsync("GET", $"{v}/queues/app-jobs/messages", null, HttpStatusCode.Forbidden, "forbidden")).Text("permission"));
        var bind = await app.ProblemAsync("POST", $"{v}/bindings", new { source = "app-events", destination = "app-jobs" }, HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("read access to exchange 'app-events'", bind.Text("detail"), StringComparison.Ordinal);

        await admin.SendAsync("PUT", "/v1/mq/vhosts/orders/permissions/app", new { configure = "^app-", write = "^app-", read = "^app-" });
        await app.SendAsync("POST", $"{v}/bindings", new { source = "app-events", destination = "app-jobs" }, HttpStatusCode.Created);
        await app.SendAsync("POST", $"{v}/exchanges/app-events/publish", new { routing_key = "", payload = "bound" });
        Assert.Equal("bound", (await app.SendAsync("GET", $"{v}/queues/app-jobs/messages")).EnumerateArray().Single().Text("payload"));
        await app.ProblemAsync("DELETE", $"{v}/queues/confirmations/messages", null, HttpStatusCode.Forbidden, "forbidden");
        await app.ProblemAsync("GET", "/v1/mq/vhosts/billing/queues", null, HttpStatusCode.Forbidden, "forbidden");

        var listed = await admin.SendAsync("GET", "/v1/mq/vhosts/orders/permissions");
        Assert.Contains(listed.EnumerateArray(), p => p.Text("user") == "app" && p.Text("read") == "^app-");
        Assert.Contains(listed.EnumerateArray(), p => p.Text("user") == "orders" && p.Text("configure") == ".*");
        await admin.ProblemAsync("DELETE", "/v1/mq/vhosts/orders/permissions/orders", null, HttpStatusCode.Conflict, "mq-service-user");
        await admin.SendAsync("DELETE", "/v1/mq/vhosts/orders/permissions/app", expect: HttpStatusCode.NoContent);
        Assert.Equal("messaging:read:orders", (await app.ProblemAsync("GET", $"{v}/queues", null, HttpStatusCode.Forbidden, "forbidden")).Text("permission"));
        await admin.SendAsync("DELETE", "/v1/mq/users/app", expect: HttpStatusCode.NoContent);
        using var gone = await app.GetAsync($"{v}/queues");
        Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
    }
}
