using System.Text.Json;
using Autonomy.Server.Data.Managed;
using Autonomy.Server.Messaging;
using Autonomy.Server.Runtime.Health;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging;

/// <summary>A compose file written for Docker declares its broker by the rabbitmq image: the embedded broker serves it.</summary>
public sealed class RabbitMqImageTests
{
    private static readonly Dictionary<string, string> App = new() { ["app.py"] = TestApps.HttpApp };

    // What an application written for RabbitMQ does with the URL it is given: publish with confirms, get it back.
    private const string RoundTrip = """
        import os, sys, pika
        connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
        channel = connection.channel()
        channel.confirm_delivery()
        channel.queue_declare("greetings", durable=True)
        channel.basic_publish("", "greetings", b"hello through the image", pika.BasicProperties(delivery_mode=2))
        method, properties, body = channel.basic_get("greetings", auto_ack=True)
        print(body.decode())
        connection.close()
        """;

    [Fact]
    public async Task The_rabbitmq_image_is_the_embedded_broker_healthy_once_it_listens_with_guest_on_the_default_vhost()
    {
        await using var server = await RunningServer.StartAsync("""
            name: shop
            services:
              messagequeue:
                image: rabbitmq:3-management
                ports: ["15672:15672"]
                volumes: ["rabbitmq_data:/var/lib/rabbitmq"]
              web:
                command: ["python3", "app.py"]
                x-autonomy:
                  healthcheck: {http: /health, interval: 200ms, start_interval: 100ms, retries: 2}
                depends_on:
                  messagequeue: {condition: service_healthy}
                environment:
                  BROKER_URL: amqp://guest:guest@messagequeue:5672/
                  BARE_BROKER_URL: amqp://guest:guest@messagequeue
                  MANAGEMENT_URL: http://guest:guest@messagequeue:15672/api
            volumes:
              rabbitmq_data:
            """, App);
        var amqpPort = server.Plane.AmqpPort;

        // The one replica runs no process and is healthy: the probe reached the AMQP listener, and web, which waits for that, runs.
        var broker = server.Plane.Supervisor.Status().Single(s => s.Name == "messagequeue");
        var replica = Assert.Single(broker.Replicas);
        Assert.Equal((HealthStatus.Healthy, (int?)null, amqpPort), (replica.Health, replica.Pid, replica.Port));
        Assert.Equal($"port {amqpPort} accepts connections", replica.LastCheck);
        Assert.Equal("Autonomy's embedded broker, in place of the image rabbitmq:3-management", broker.Runs);
        Assert.Equal(HealthStatus.Healthy, server.Plane.Supervisor.Status().Single(s => s.Name == "web").Replicas[0].Health);
        Assert.Contains(server.Plane.Supervisor.Warnings, w => w.StartsWith("service 'messagequeue': the embedded broker has no management plugin", StringComparison.Ordinal));
        Assert.Contains(server.Plane.Supervisor.Warnings, w => w.StartsWith("service 'messagequeue': its port 15672:15672 is not published", StringComparison.Ordinal));
        Assert.Contains(server.Plane.Supervisor.Warnings, w => w.StartsWith("service 'messagequeue': its volumes (/var/lib/rabbitmq) are not used", StringComparison.Ordinal));

        // ps says what serves it, as text and as JSON.
        var ps = await Repository.RunAutonomyAsync(server.Files.Directory, ["ps"]);
        Assert.Contains($"messagequeue: Autonomy's embedded broker, in place of the image rabbitmq:3-management, on 127.0.0.1:{broker.Port}", ps.StandardOutput);
        var json = await Repository.RunAutonomyAsync(server.Files.Directory, ["ps", "--format", "json"]);
        using (var view = JsonDocument.Parse(json.StandardOutput))
        {
            var service = view.RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "messagequeue");
            Assert.Equal("Autonomy's embedded broker, in place of the image rabbitmq:3-management", service.GetProperty("runs").GetString());
            Assert.Equal("healthy", service.GetProperty("health").GetString());
        }

        // The address a Docker network would resolve is the AMQP listener here; the management port is left alone.
        var url = await SqliteDatabaseTestsVariable(server, "web", "BROKER_URL");
        Assert.Equal($"amqp://guest:guest@127.0.0.1:{amqpPort}/", url);
        Assert.Equal($"amqp://guest:guest@127.0.0.1:{amqpPort}", await SqliteDatabaseTestsVariable(server, "web", "BARE_BROKER_URL"));
        Assert.Equal("http://guest:guest@messagequeue:15672/api", await SqliteDatabaseTestsVariable(server, "web", "MANAGEMENT_URL"));

        // guest/guest on "/" works with pika through that URL, and the message is in the vhost "/".
        var pika = await PythonScript.RunAsync(RoundTrip, [url]);
        Assert.True(pika.ExitCode == 0, pika.Errors);
        Assert.Equal("hello through the image", pika.Output);
        Assert.Equal(0, server.Plane.Broker.GetVirtualHost("/").GetQueue("greetings").Ready);

        // guest has "/" and nothing else: not a service's vhost.
        var refused = await PythonScript.RunAsync(RoundTrip, [$"amqp://guest:guest@127.0.0.1:{amqpPort}/web"]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("ProbableAccessDeniedError", refused.Errors, StringComparison.Ordinal);
        Assert.Contains("530", refused.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_images_user_password_and_vhost_come_from_its_environment()
    {
        await using var server = await RunningServer.StartAsync("""
            name: shop
            services:
              broker:
                image: docker.io/library/rabbitmq:3.13-alpine
                ports: ["${AMQP_HOST_PORT}:5672"]
                environment:
                  RABBITMQ_DEFAULT_USER: shop
                  RABBITMQ_DEFAULT_PASS: s3cret-pw
                  RABBITMQ_DEFAULT_VHOST: orders-events
                healthcheck:
                  test: ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
                  interval: 5s
              web:
                command: ["python3", "app.py"]
                x-autonomy:
                  healthcheck: {http: /health, interval: 200ms, start_interval: 100ms, retries: 2}
                depends_on:
                  broker: {condition: service_healthy}
                environment:
                  AMQP_URL: amqp://shop:s3cret-pw@broker:5672/orders-events
            """, App, env: Env);
        var url = await SqliteDatabaseTestsVariable(server, "web", "AMQP_URL");
        Assert.Equal($"amqp://shop:s3cret-pw@127.0.0.1:{server.Plane.AmqpPort}/orders-events", url);
        var pika = await PythonScript.RunAsync(RoundTrip, [url]);
        Assert.True(pika.ExitCode == 0, pika.Errors);
        Assert.Equal("hello through the image", pika.Output);
        Assert.Contains(server.Plane.Supervisor.Warnings, w => w.StartsWith("service 'broker': its healthcheck's command is not run", StringComparison.Ordinal));

        // The published port forwards to the listener as the image's would; a wrong password is refused there as on RabbitMQ.
        var published = server.Plane.Supervisor.Plans.Single(p => p.Name == "broker").Published.Single().HostPort;
        var through = await PythonScript.RunAsync(RoundTrip, [$"amqp://shop:s3cret-pw@127.0.0.1:{published}/orders-events"]);
        Assert.True(through.ExitCode == 0, through.Errors);
        var wrong = await PythonScript.RunAsync(RoundTrip, [$"amqp://shop:guest@127.0.0.1:{published}/orders-events"]);
        Assert.Contains("ProbableAuthenticationError", wrong.Errors, StringComparison.Ordinal);
        Assert.Null(server.Plane.BrokerUsers.Find("guest"));

        // A changed environment changes the user at the next up: the one it named before logs in no more.
        var compose = server.Files.PathOf("compose.yaml");
        File.WriteAllText(compose, File.ReadAllText(compose).Replace("RABBITMQ_DEFAULT_USER: shop", "RABBITMQ_DEFAULT_USER: shop2", StringComparison.Ordinal));
        await server.Plane.Supervisor.ReconcileAsync(server.Files.Load(env: Env));
        Assert.Null(server.Plane.BrokerUsers.Find("shop"));
        var renamed = await PythonScript.RunAsync(RoundTrip, [$"amqp://shop2:s3cret-pw@127.0.0.1:{server.Plane.AmqpPort}/orders-events"]);
        Assert.True(renamed.ExitCode == 0, renamed.Errors);
        var old = await PythonScript.RunAsync(RoundTrip, [url]);
        Assert.Contains("ProbableAuthenticationError", old.Errors, StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, string> Env = new() { ["AMQP_HOST_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task What_the_embedded_broker_cannot_be_is_a_plan_error()
    {
        var problems = await Assert.ThrowsAsync<ServicePlanException>(() => RunningServer.StartAsync("""
            services:
              mq:
                image: rabbitmq:3
                deploy: {replicas: 2}
                environment:
                  RABBITMQ_DEFAULT_PASS_FILE: /run/secrets/mq
                  RABBITMQ_DEFAULT_VHOST: web
              web:
                command: sleep 30
            """));
        Assert.Contains("service 'mq': it is served by the embedded broker (image rabbitmq:3) and asks for 2 replicas; there is one broker", problems.Message);
        Assert.Contains("service 'mq': it is served by the embedded broker (image rabbitmq:3), which does not read RABBITMQ_DEFAULT_PASS_FILE\n  hint: set RABBITMQ_DEFAULT_PASS in its environment instead", problems.Message);
        Assert.Contains("service 'mq': its RABBITMQ_DEFAULT_VHOST 'web' is the service 'web''s own vhost", problems.Message);

        // Without the server (and its broker) such a service cannot start.
        await using var bare = new RunningProject("services:\n  mq:\n    image: rabbitmq\n");
        var failed = await Assert.ThrowsAsync<Autonomy.Server.Runtime.Supervision.ServiceStartException>(() => bare.UpAsync());
        Assert.Contains("is the image rabbitmq, which only Autonomy's server (with its embedded broker) can serve", failed.Message);
    }

    [Fact]
    public async Task Dependents_wait_until_the_broker_accepts_connections()
    {
        // The broker's port, with nothing listening on it yet: the supervisor alone, told where the listener will be.
        var port = FreePort();
        using var files = new TempProject();
        files.Write("compose.yaml", "services:\n  mq:\n    image: rabbitmq:3\n  web:\n    command: sleep 60\n    depends_on:\n      mq: {condition: service_healthy}\n");
        await using var supervisor = new Autonomy.Server.Runtime.Supervision.Supervisor(files.Load(),
            new Autonomy.Server.Runtime.SupervisorOptions { StateDirectory = files.PathOf(".autonomy/test"), DependencyTimeout = TimeSpan.FromSeconds(60) })
        {
            EmbeddedBroker = new ListenerAt(port),
        };
        var up = supervisor.UpAsync();
        Autonomy.Server.Runtime.Supervision.ServiceStatus Service(string name) => supervisor.Status().Single(s => s.Name == name);
        await RunningProject.WaitUntilAsync(() => Service("mq").Replicas.Any(r => r.State == Autonomy.Server.Runtime.Supervision.ReplicaState.Running),
            "the broker's replica runs");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Starting, Service("mq").Replicas[0].Health);
        Assert.Empty(Service("web").Replicas);
        Assert.False(up.IsCompleted);

        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();
        await up.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HealthStatus.Healthy, Service("mq").Replicas[0].Health);
        Assert.Equal(Autonomy.Server.Runtime.Supervision.ReplicaState.Running, Service("web").Replicas[0].State);
    }

    /// <summary>Where the server's AMQP listener would be; the test decides when something listens there.</summary>
    private sealed class ListenerAt(int port) : Autonomy.Server.Runtime.Supervision.IEmbeddedBroker
    {
        public int AmqpPort => port;

        public Task PrepareImageAsync(string service, RabbitMqImagePlan image, CancellationToken ct) => Task.CompletedTask;
    }

    [Theory]
    [InlineData("rabbitmq", true)]
    [InlineData("rabbitmq:3", true)]
    [InlineData("rabbitmq:3-management-alpine", true)]
    [InlineData("library/rabbitmq:3.13", true)]
    [InlineData("docker.io/library/rabbitmq@sha256:0123", true)]
    [InlineData("bitnami/rabbitmq:3", false)]
    [InlineData("rabbitmq-exporter", false)]
    [InlineData("postgres:16", false)]
    public void The_official_image_with_any_tag_is_rabbitmq(string image, bool expected) => Assert.Equal(expected, RabbitMqImage.IsRabbitMq(image));

    [Theory]
    [InlineData("amqp://guest:guest@messagequeue:5672/", "amqp://guest:guest@127.0.0.1:7000/")]
    [InlineData("amqp://guest:guest@messagequeue/%2F", "amqp://guest:guest@127.0.0.1:7000/%2F")]
    [InlineData("amqp://messagequeue", "amqp://127.0.0.1:7000")]
    [InlineData("amqps://guest:guest@messagequeue/", "amqps://guest:guest@messagequeue/")]
    [InlineData("http://messagequeue:15672/api", "http://messagequeue:15672/api")]
    [InlineData("http://messagequeue/api", "http://messagequeue/api")]
    [InlineData("amqp://u:p@messagequeue:5673/", "amqp://u:p@messagequeue:5673/")]
    [InlineData("postgres://u:p@db/app amqp://messagequeue", "postgres://u:p@127.0.0.1:6000/app amqp://127.0.0.1:7000")]
    public void Docker_addresses_of_the_broker_become_the_listener(string value, string expected) =>
        Assert.Equal(expected, ImageAddresses.Rewrite(value, new Dictionary<string, ImageServer> { ["messagequeue"] = ImageServer.RabbitMq(7000), ["db"] = ImageServer.Postgres(6000) }));

    private static Task<string> SqliteDatabaseTestsVariable(RunningServer server, string service, string name) =>
        Autonomy.Tests.Data.SqliteDatabaseTests.VariableAsync(server, service, name);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
