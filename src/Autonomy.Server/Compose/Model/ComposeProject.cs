using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Model;

/// <summary>A compose project fully resolved: files merged, variables interpolated, includes, extends and profiles applied.</summary>
public sealed class ComposeProject
{
    internal ComposeProject(MappingNode root) => Root = root;

    public required string Name { get; init; }

    /// <summary>Where relative paths start, and beside which the project's state folder lives.</summary>
    public required string ProjectDirectory { get; init; }

    public required IReadOnlyList<string> Files { get; init; }

    public required IReadOnlyList<string> ActiveProfiles { get; init; }

    /// <summary>Services in file order.</summary>
    public required IReadOnlyList<ServiceDefinition> Services { get; init; }

    public required IReadOnlyDictionary<string, ResourceDefinition> Networks { get; init; }

    public required IReadOnlyDictionary<string, ResourceDefinition> Volumes { get; init; }

    public required IReadOnlyDictionary<string, ResourceDefinition> Configs { get; init; }

    public required IReadOnlyDictionary<string, ResourceDefinition> Secrets { get; init; }

    /// <summary>Top-level <c>x-*</c> sections, <c>x-autonomy</c> among them.</summary>
    public required IReadOnlyDictionary<string, JsonNode?> Extensions { get; init; }

    /// <summary>The variables the files were interpolated with (shell, then the project's .env).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    public required IReadOnlyList<ComposeDiagnostic> Warnings { get; init; }

    /// <summary>The resolved model as a tree, in the shapes <c>docker compose config</c> prints.</summary>
    internal MappingNode Root { get; }

    public ServiceDefinition? FindService(string name) => Services.FirstOrDefault(s => s.Name == name);
}
