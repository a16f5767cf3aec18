using System.Text.Json.Nodes;

namespace Autonomy.Server.Compose.Model;

/// <summary>
/// One service of the project, with the attributes the process runtime gives meaning to typed;
/// every other attribute is kept in <see cref="Attributes"/> as the resolved model has it.
/// </summary>
public sealed record ServiceDefinition
{
    public required string Name { get; init; }

    public BuildDefinition? Build { get; init; }

    public string? Image { get; init; }

    /// <summary>Exec form; a text command was split into words as a shell would.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>The command as written when it was one text (run through /bin/sh -c); null for the list form.</summary>
    public string? CommandText { get; init; }

    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>The entrypoint as written when it was one text; null for the list form.</summary>
    public string? EntrypointText { get; init; }

    /// <summary>Where the command was written (file:line:column), for messages about it; null when it was not.</summary>
    public string? CommandWrittenAt { get; init; }

    /// <summary>Where the entrypoint was written (file:line:column); null when it was not.</summary>
    public string? EntrypointWrittenAt { get; init; }

    public string? WorkingDir { get; init; }

    /// <summary>env_file values, then environment; a null value is a name with no value anywhere.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public IReadOnlyList<PortMapping> Ports { get; init; } = [];

    public IReadOnlyList<string> Expose { get; init; } = [];

    public IReadOnlyDictionary<string, ServiceDependency> DependsOn { get; init; } = new Dictionary<string, ServiceDependency>();

    /// <summary>Null when the service declares none.</summary>
    public HealthCheckDefinition? HealthCheck { get; init; }

    public RestartPolicy Restart { get; init; } = RestartPolicy.No;

    public int Replicas { get; init; } = 1;

    public IReadOnlyList<string> Profiles { get; init; } = [];

    public IReadOnlyList<VolumeMount> Volumes { get; init; } = [];

    public IReadOnlyList<FileReference> Configs { get; init; } = [];

    public IReadOnlyList<FileReference> Secrets { get; init; } = [];

    /// <summary>Default 10 s, as docker's.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Default SIGTERM.</summary>
    public string StopSignal { get; init; } = "SIGTERM";

    public IReadOnlyDictionary<string, string?> Labels { get; init; } = new Dictionary<string, string?>();

    /// <summary>The service's <c>x-*</c> fields, <c>x-autonomy</c> among them.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Extensions { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>Every attribute of the resolved service, as <c>convert --format json</c> prints it.</summary>
    public required JsonObject Attributes { get; init; }
}
