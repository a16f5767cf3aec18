using System.Text.Json.Nodes;

namespace Autonomy.Server.Compose.Model;

/// <summary>An entry of the top-level networks, volumes, configs or secrets sections.</summary>
public sealed record ResourceDefinition
{
    public required string Key { get; init; }

    /// <summary>The <c>name:</c> given, if any (the resource's name outside the project).</summary>
    public string? Name { get; init; }

    public bool External { get; init; }

    /// <summary>configs and secrets: an absolute file path.</summary>
    public string? File { get; init; }

    /// <summary>configs and secrets: the variable whose value is the content.</summary>
    public string? Environment { get; init; }

    /// <summary>configs: the inline content.</summary>
    public string? Content { get; init; }

    public string? Driver { get; init; }

    public IReadOnlyDictionary<string, JsonNode?> Extensions { get; init; } = new Dictionary<string, JsonNode?>();
}
