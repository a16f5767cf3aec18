using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Runtime.Planning;

/// <summary>How to run one service natively, decided once before anything starts.</summary>
public sealed record ServicePlan
{
    public required ServiceDefinition Service { get; init; }

    public string Name => Service.Name;

    /// <summary>argv, with argv[0] as written (the program) and <see cref="Program"/> its resolved path.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    public required string Program { get; init; }

    /// <summary>Where the command came from, for messages: "compose.yaml:12 (command)" or "Dockerfile:8 (CMD)".</summary>
    public required string CommandSource { get; init; }

    public required string WorkingDirectory { get; init; }

    /// <summary>The Dockerfile's ENV, the lowest layer of the service's environment above the inherited one.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ImageEnvironment { get; init; } = [];

    public HealthSpec? Health { get; init; }

    /// <summary><c>x-autonomy.setup</c>: run once before the first replica starts.</summary>
    public IReadOnlyList<string>? Setup { get; init; }

    /// <summary>The stable loopback port in front of the replicas, given to other services as <c>&lt;NAME&gt;_URL</c>.</summary>
    public required int ServicePort { get; init; }

    public IReadOnlyList<PublishedPort> Published { get; init; } = [];

    /// <summary>
    /// How long a rolling restart lets an old replica finish what it was serving after it stops getting new traffic:
    /// <c>x-autonomy.drain_grace</c>, else the service's stop_grace_period.
    /// </summary>
    public TimeSpan DrainGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How the gateway carries its HTTP traffic (routes, balancing, retries, ejection); tcp when it is not HTTP.</summary>
    public HttpTrafficPlan Traffic { get; init; } = HttpTrafficPlan.Tcp;

    public IReadOnlyList<VolumeLink> Volumes { get; init; } = [];

    /// <summary>The compose configs it uses, as files written for each replica.</summary>
    public IReadOnlyList<ConfigFilePlan> ConfigFiles { get; init; } = [];

    /// <summary>The compose secrets it is granted, as files delivered to each replica while it runs.</summary>
    public IReadOnlyList<SecretFilePlan> SecretFiles { get; init; } = [];

    /// <summary>Its own database, provisioned before its first replica starts; null when it has none.</summary>
    public Data.DatabasePlan? Database { get; init; }

    /// <summary>Set when the service is a PostgreSQL server Autonomy runs (the postgres image, or the server it adds).</summary>
    public Data.Managed.ManagedServerPlan? ManagedServer { get; init; }

    /// <summary>
    /// Set when the service is the rabbitmq image, which the embedded broker (in the server's own process)
    /// satisfies: it runs no process, its one replica is running at once and healthy once the broker's AMQP
    /// listener accepts connections.
    /// </summary>
    public Messaging.RabbitMqImagePlan? EmbeddedBroker { get; init; }
}
