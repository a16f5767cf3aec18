using System.Text.Json;
using Autonomy.Server.Messaging.RabbitMq;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Tests.Data;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.RabbitMq;

/// <summary>Services on a RabbitMQ server of the user's (x-autonomy.messaging), against a real RabbitMQ node.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqBackendTests(RabbitMqServerFixture rmq)
{
    private static readonly Dictionary<string, string> App = new() { ["app.py"] = TestApps.HttpApp };

    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..8]}";

    private string Compose(string messaging, string queues = "") => $$"""
        x-autonomy:
          messaging: {{messaging}}
        services:
          orders:
            command: ["python3", "app.py"]
            x-autonomy:
              healthcheck: {http: /health, interval: 200ms, start_interval: 100ms, retries: 2}
              {{queues}}
        """;

    private RabbitMqSettings Settings(string prefix = "")
    {
        Assert.True(RabbitMqSettings.TryParse($"amqp://{RabbitMqServerFixture.Admin}:{rmq.AdminPassword}@127.0.0.1:{rmq.Port}", $"http://127.0.0.1:{rmq.ManagementPort}", prefix, out var settings, out var error), error);
        return settings!;
    }

    [Fact]
    public async Task ProvisioningTwiceAnswersCreatedThenExistedAndTheUserConnects()
    {
        var settings = Settings();
        using var client = new RabbitMqManagementClient(settings);
        var name = Unique("prov");
        var password = "Pw" + Guid.NewGuid().ToString("N");
        Assert.Equal(Provisioned.Created, await client.PutVhostAsync(name, "test", default));
        Assert.Equal(Provisioned.Existed, await client.PutVhostAsync(name, "test", default));
        Assert.Equal(Provisioned.Created, await client.PutUserAsync(name, password, default));
        Assert.Equal(Provisioned.Existed, await client.PutUserAsync(name, password, default));
        Assert.Equal(Provisioned.Created, await client.PutPermissionsAsync(name, name, ".*", ".*", ".*", default));
        Assert.Equal(Provisioned.Existed, await client.PutPermissionsAsync(name, name, ".*", ".*", ".*", default));
        await client.AwaitVhostsAsync(default);
        Assert.True(await client.UserExistsAsync(name, default));
        Assert.False(await client.UserExistsAsync(Unique("nobody"), default));

        Assert.Equal((0, "hello"), await Pika.RoundTripAsync(settings.UrlFor(name, password), "greetings", "hello"));
        // The user has no management tag: the management API refuses it.
        using var asUser = new RabbitMqManagementClient(settings with { AdminUser = name, AdminPassword = password });
        var refused = await Assert.ThrowsAsync<RabbitMqException>(() => asUser.PutVhostAsync(Unique("other"), "", default));
        Assert.Contains($"refused the management credentials of user '{name}'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServiceGetsAWorkingUrlWhosePasswordIsStableAcrossUps()
    {
        var prefix = Unique("t") + "-";
        var messaging = rmq.MessagingSetting.TrimEnd('}') + $", prefix: '{prefix}'}}";
        await using var server = await RunningServer.StartAsync(Compose(messaging, """
            queues:
                    jobs: {arguments: {x-delivery-limit: 5, x-message-ttl: 60000}}
                    ranked: {arguments: {x-max-priority: 5}}
            """), App);
        var url = await SqliteDatabaseTests.VariableAsync(server, "orders", "MESSAGE_QUEUE_URL");
        var vhost = prefix + "orders";
        Assert.Matches($"^amqp://{vhost}:[A-Za-z0-9]{{32}}@127\\.0\\.0\\.1:{rmq.Port}/{vhost}$", url);
        // The HTTP API is the embedded broker's: on RabbitMQ a service gets no MESSAGE_QUEUE_HTTP_URL.
        Assert.Equal("<unset>", await SqliteDatabaseTests.VariableAsync(server, "orders", "MESSAGE_QUEUE_HTTP_URL"));
        var kept = System.Text.Encoding.UTF8.GetString(server.Plane.Secrets.Read("autonomy-rabbitmq-password.orders"));
        Assert.Contains($":{kept}@", url, StringComparison.Ordinal);
        Assert.Equal((0, "first"), await Pika.RoundTripAsync(url, "work", "first"));

        // The compose file's queues, each of the type its features need.
        using var management = rmq.Management();
        Assert.Equal("quorum", await QueueTypeAsync(management, vhost, "jobs"));
        Assert.Equal("classic", await QueueTypeAsync(management, vhost, "ranked"));

        // Declares through Autonomy's API go to RabbitMQ, checked as the compose file's are.
        var backend = $"backend amqp://127.0.0.1:{rmq.Port}";
        var declare = await server.Http.PutAsync("/v1/mq/vhosts/orders/queues/retried", Json("""{"arguments": {"x-retry-backoff": 100}}"""));
        Assert.Equal(400, (int)declare.StatusCode);
        Assert.Equal($"retry backoff (x-retry-backoff) is not available on RabbitMQ 3.10 ({backend})", await DetailAsync(declare));
        declare = await server.Http.PutAsync("/v1/mq/vhosts/orders/queues/limited", Json("""{"arguments": {"x-delivery-limit": 3}}"""));
        Assert.Equal(201, (int)declare.StatusCode);
        Assert.Equal(200, (int)(await server.Http.PutAsync("/v1/mq/vhosts/orders/queues/limited", Json("""{"arguments": {"x-delivery-limit": 3}}"""))).StatusCode);
        Assert.Equal("quorum", await QueueTypeAsync(management, vhost, "limited"));
        var delayed = await server.Http.PostAsync("/v1/mq/vhosts/orders/exchanges/amq.default/publish",
            Json("""{"routing_key": "work", "payload": "later", "properties": {"headers": {"x-delay": 5000}}}"""));
        Assert.Equal(400, (int)delayed.StatusCode);
        Assert.Equal($"delayed delivery (x-delay) is not available on RabbitMQ 3.10 ({backend})", await DetailAsync(delayed));
        var fromCli = await Repository.RunAutonomyAsync(server.Files.Directory, ["mq", "publish", "--vhost", "orders", "-k", "work", "-H", "x-delay=5000", "later"]);
        Assert.True(fromCli.ExitCode != 0, fromCli.ToString());
        Assert.Contains($"delayed delivery (x-delay) is not available on RabbitMQ 3.10 ({backend})", fromCli.StandardError, StringComparison.Ordinal);
        var listed = await server.Http.GetAsync("/v1/mq/vhosts/orders/queues");
        Assert.Equal(409, (int)listed.StatusCode);
        Assert.StartsWith($"vhost 'orders' is on RabbitMQ (amqp://127.0.0.1:{rmq.Port}): /v1/mq serves Autonomy's own broker", await DetailAsync(listed), StringComparison.Ordinal);

        // A second up: the same password, and it still opens the vhost.
        await server.StopAsync();
        await server.StartAgainAsync();
        Assert.Equal(url, await SqliteDatabaseTests.VariableAsync(server, "orders", "MESSAGE_QUEUE_URL"));
        Assert.Equal((0, "second"), await Pika.RoundTripAsync(url, "work", "second"));

        // Another vhost is not the service's: RabbitMQ refuses its credentials there.
        var elsewhere = await Pika.RoundTripAsync(url[..url.LastIndexOf('/')] + "/%2F", "work", "x");
        Assert.NotEqual(0, elsewhere.ExitCode);
        Assert.Contains("ProbableAccessDeniedError", elsewhere.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongAdminPasswordFailsUpNamingTheServerAndNotThePassword()
    {
        var messaging = $"{{amqp: 'amqp://{RabbitMqServerFixture.Admin}:wrong-{rmq.AdminPassword}@127.0.0.1:{rmq.Port}', management: 'http://127.0.0.1:{rmq.ManagementPort}'}}";
        var failure = await Assert.ThrowsAsync<ServiceStartException>(() => RunningServer.StartAsync(Compose(messaging), App));
        Assert.Equal($"service 'orders' has no message queue: RabbitMQ at http://127.0.0.1:{rmq.ManagementPort} refused the management credentials of user 'admin': Login failed "
            + "(the administrator of x-autonomy.messaging.amqp needs the administrator tag, and the right password)", failure.Message);
    }

    [Fact]
    public async Task AnUnreachableManagementUrlFailsUpNamingIt()
    {
        var closed = PostgresServerFixture.FreePort();
        var messaging = $"{{amqp: 'amqp://admin:secret@127.0.0.1:{rmq.Port}', management: 'http://127.0.0.1:{closed}'}}";
        var failure = await Assert.ThrowsAsync<ServiceStartException>(() => RunningServer.StartAsync(Compose(messaging), App));
        Assert.StartsWith($"service 'orders' has no message queue: RabbitMQ's management API at http://127.0.0.1:{closed} cannot be reached (connection refused or no route)",
            failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failure.Message, StringComparison.Ordinal);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static async Task<string?> DetailAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("detail").GetString();
    }

    private static async Task<string?> QueueTypeAsync(HttpClient management, string vhost, string queue)
    {
        using var json = JsonDocument.Parse(await management.GetStringAsync($"queues/{Uri.EscapeDataString(vhost)}/{queue}"));
        return json.RootElement.GetProperty("type").GetString();
    }
}
