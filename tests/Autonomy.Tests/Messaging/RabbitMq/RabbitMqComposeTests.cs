using Autonomy.Server.Messaging.RabbitMq;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.RabbitMq;

/// <summary>
/// <c>x-autonomy.messaging</c> (a RabbitMQ server of the user's) and a service's <c>x-autonomy.queues</c>, checked
/// where they are written; on RabbitMQ, a queue asking for what RabbitMQ 3.10 lacks is refused at <c>up</c>.
/// </summary>
public sealed class RabbitMqComposeTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void TheServerAndTheQueuesAreRead()
    {
        _project.Write("compose.yaml", """
            x-autonomy:
              messaging:
                amqp: amqp://admin:${RMQ_PASSWORD}@rmq.internal:5673
                management: http://rmq.internal:15672
                prefix: shop-
            services:
              orders:
                command: sleep 1
                x-autonomy:
                  queues:
                    created: {arguments: {x-delivery-limit: 5}}
                    audit:
                    scratch: {durable: false}
            """);
        var project = _project.Load(env: new() { ["RMQ_PASSWORD"] = "p%40ss%20word" });
        var settings = RabbitMqSettings.Of(project)!;
        Assert.Equal(("admin", "p@ss word", "rmq.internal", 5673, "http://rmq.internal:15672", "shop-"),
            (settings.AdminUser, settings.AdminPassword, settings.Host, settings.Port, settings.ManagementUrl, settings.Prefix));
        Assert.Equal("amqp://rmq.internal:5673", settings.Backend);
        Assert.Equal("amqp://shop-orders:Pw123@rmq.internal:5673/shop-orders", settings.UrlFor("orders", "Pw123"));
        var queues = DeclaredQueue.Of(project.Services.Single());
        Assert.Equal(["created:True:{\"x-delivery-limit\":5}", "audit:True:{}", "scratch:False:{}"],
            queues.Select(q => $"{q.Name}:{q.Durable}:{q.Arguments.ToJsonString()}"));
    }

    [Fact]
    public void WithoutTheSectionServicesUseTheEmbeddedBroker()
    {
        _project.Write("compose.yaml", """
            services:
              orders:
                command: sleep 1
                x-autonomy:
                  queues:
                    later: {arguments: {x-retry-backoff: 100, x-deduplication-window: 1000}}
            """);
        Assert.Null(RabbitMqSettings.Of(_project.Load()));
    }

    [Fact]
    public async Task WithoutRabbitMqTheQueuesAreDeclaredOnTheEmbeddedBroker()
    {
        await using var server = await RunningServer.StartAsync("""
            services:
              orders:
                command: ["python3", "app.py"]
                x-autonomy:
                  healthcheck: {http: /health, interval: 200ms, start_interval: 100ms, retries: 2}
                  queues:
                    jobs: {arguments: {x-delivery-limit: 5, x-retry-backoff: 100}}
                    scratch: {durable: false}
            """, new Dictionary<string, string> { ["app.py"] = TestApps.HttpApp });
        using var jobs = System.Text.Json.JsonDocument.Parse(await server.Http.GetStringAsync("/v1/mq/vhosts/orders/queues/jobs"));
        Assert.Equal(5, jobs.RootElement.GetProperty("arguments").GetProperty("x-delivery-limit").GetInt32());
        Assert.Equal(100, jobs.RootElement.GetProperty("arguments").GetProperty("x-retry-backoff").GetInt32());
        Assert.True(jobs.RootElement.GetProperty("durable").GetBoolean());
        using var scratch = System.Text.Json.JsonDocument.Parse(await server.Http.GetStringAsync("/v1/mq/vhosts/orders/queues/scratch"));
        Assert.False(scratch.RootElement.GetProperty("durable").GetBoolean());
    }

    [Theory]
    [InlineData("messaging: amqp://a:b@h", 2, 14, "x-autonomy.messaging must be a mapping")]
    [InlineData("messaging: {management: 'http://h:15672'}", 2, 14, "x-autonomy.messaging names no RabbitMQ server: amqp is missing")]
    [InlineData("messaging: {amqp: 'amqp://a:b@h', management: 'http://h:15672', vhost: shop}", 2, 67, "'vhost' is not a setting of x-autonomy.messaging")]
    [InlineData("messaging: {amqp: 'amqp://a:b@h'}", 2, 14, "x-autonomy.messaging needs management: the URL of RabbitMQ's management plugin")]
    [InlineData("messaging: {amqp: 'http://a:b@h', management: 'http://h:15672'}", 2, 21, "'http://a:***@h' is not an amqp://ADMIN:PASSWORD@HOST:PORT URL")]
    [InlineData("messaging: {amqp: 'amqp://h:5672', management: 'http://h:15672'}", 2, 21, "the amqp URL amqp://h:5672 names no administrator and password")]
    [InlineData("messaging: {amqp: 'amqp://a:secret@h:5672/shop', management: 'http://h:15672'}", 2, 21, "the amqp URL amqp://a:***@h:5672/shop is the server's address alone")]
    [InlineData("messaging: {amqp: 'amqp://a:b@h', management: 'h:15672'}", 2, 49, "'h:15672' is not an http:// or https:// URL of RabbitMQ's management plugin")]
    [InlineData("messaging: {amqp: 'amqp://a:b@h', management: 'http://a:b@h:15672'}", 2, 49, "the management URL takes no credentials")]
    [InlineData("messaging: {amqp: 'amqp://a:b@h', management: 'http://h:15672', prefix: 'a/b'}", 2, 75, "the prefix 'a/b' may hold letters, digits, '-', '_' and '.' only")]
    public void ABadServerIsReportedWhereItIsWritten(string messaging, int line, int column, string message)
    {
        _project.Write("compose.yaml", $"""
            x-autonomy:
              {messaging}
            services:
              orders: {"{command: sleep 1}"}
            """);
        var error = Assert.Single(_project.Errors());
        Assert.Equal((_project.PathOf("compose.yaml"), line, column), (error.File, error.Line, error.Column));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Hint);
    }

    [Theory]
    [InlineData("queues: [a, b]", 6, 15, "services.orders.x-autonomy.queues must be a mapping")]
    [InlineData("queues: {amq.orders: {}}", 6, 16, "'amq.orders' is not a queue name")]
    [InlineData("queues: {orders: {durabel: true}}", 6, 25, "'durabel' is not a setting of a queue")]
    [InlineData("queues: {orders: {durable: sometimes}}", 6, 34, "services.orders.x-autonomy.queues.orders.durable must be true or false")]
    [InlineData("queues: {orders: {arguments: [x]}}", 6, 36, "services.orders.x-autonomy.queues.orders.arguments must be a mapping")]
    public void ABadQueueIsReportedWhereItIsWritten(string queues, int line, int column, string message)
    {
        _project.Write("compose.yaml", $"""
            services:
              orders:
                command: sleep 1
                x-autonomy:
                  healthcheck: {"{tcp: true}"}
                  {queues}
            """);
        var error = Assert.Single(_project.Errors());
        Assert.Equal((_project.PathOf("compose.yaml"), line, column), (error.File, error.Line, error.Column));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpRefusesWhatRabbitMqLacksNamingTheFeatureAndTheBackend()
    {
        _project.Write("compose.yaml", """
            x-autonomy:
              messaging: {amqp: 'amqp://admin:secret@127.0.0.1:5672', management: 'http://127.0.0.1:15672'}
            services:
              orders:
                command: sleep 60
                x-autonomy:
                  queues:
                    retried:
                      arguments: {x-retry-backoff: 100}
                    once:
                      arguments: {x-deduplication-window: 60000}
                    limited:
                      durable: false
                      arguments: {x-delivery-limit: 3}
                    fine:
                      arguments: {x-delivery-limit: 3, x-message-ttl: 1000}
            """);
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["up", "-d"]);
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("compose.yaml:9:11: error: retry backoff (x-retry-backoff) is not available on RabbitMQ 3.10 (backend amqp://127.0.0.1:5672)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("compose.yaml:11:11: error: de-duplication (x-deduplication-window) is not available on RabbitMQ 3.10 (backend amqp://127.0.0.1:5672)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("compose.yaml:14:11: error: delivery limit (x-delivery-limit) needs a quorum queue and a non-durable queue a classic one: no queue on RabbitMQ 3.10 (backend amqp://127.0.0.1:5672) has both",
            result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("fine", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }
}
