using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// One file as read for a project: interpolated with the project's variables, its services
/// normalized on first use (a file read only to be extended may hold services that are never
/// used, and those are not checked, as in compose-go).
/// </summary>
internal sealed class ComposeFile(string path, MappingNode root, ServiceNormalizer normalizer, ProjectEnvironment environment)
{
    private readonly Dictionary<string, MappingNode> _normalized = new(StringComparer.Ordinal);
    private readonly HashSet<string> _resolved = new(StringComparer.Ordinal);

    public string Path { get; } = path;

    public MappingNode Root { get; } = root;

    public ServiceNormalizer Normalizer { get; } = normalizer;

    public ProjectEnvironment Environment { get; } = environment;

    public MappingNode Services => Root["services"] as MappingNode ?? new MappingNode(Root.Location);

    public MappingNode Normalized(string service)
    {
        if (!_normalized.TryGetValue(service, out var node))
        {
            node = Normalizer.Normalize(service, Services[service]!);
            _normalized[service] = node;
        }
        return node;
    }

    /// <summary>The service after its extends chain; stored once resolved.</summary>
    public bool IsResolved(string service) => _resolved.Contains(service);

    public void SetResolved(string service, MappingNode node)
    {
        _normalized[service] = node;
        _resolved.Add(service);
    }
}
