using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// The top-level sections besides services: <c>networks</c>, <c>volumes</c>, <c>configs</c> and
/// <c>secrets</c>, each a mapping of names to definitions. File sources become absolute paths.
/// </summary>
internal sealed class ResourceNormalizer(NodeChecks checks, ServiceNormalizer paths)
{
    public static readonly string[] Sections = ["networks", "volumes", "configs", "secrets"];

    private static readonly Dictionary<string, HashSet<string>> KeysOf = new(StringComparer.Ordinal)
    {
        ["networks"] = ["name", "driver", "driver_opts", "attachable", "enable_ipv4", "enable_ipv6", "external", "internal", "ipam", "labels"],
        ["volumes"] = ["name", "driver", "driver_opts", "external", "labels"],
        ["configs"] = ["name", "file", "environment", "content", "external", "labels", "template_driver"],
        ["secrets"] = ["name", "file", "environment", "external", "labels", "driver", "driver_opts", "template_driver"],
    };

    public MappingNode? Normalize(string section, YamlNode value)
    {
        if (value is ScalarNode { Value: null })
        {
            return new MappingNode(value.Location);
        }
        if (checks.Mapping(value, section) is not { } map)
        {
            return null;
        }
        var result = new MappingNode(map.Location);
        foreach (var (nameNode, definition) in map.Entries)
        {
            var path = $"{section}.{nameNode.Value}";
            if (definition is ScalarNode { Value: null })
            {
                result.Add(nameNode, definition.IsReset ? definition : new MappingNode(definition.Location));
                continue;
            }
            if (checks.Mapping(definition, path) is not { } entries)
            {
                continue;
            }
            var normalized = new MappingNode(entries.Location) { Tag = entries.Tag };
            foreach (var (k, v) in entries.Entries)
            {
                var key = k.Value!;
                if (key.StartsWith("x-", StringComparison.Ordinal) || v.IsReset)
                {
                    normalized.Add(k, v);
                    continue;
                }
                if (!KeysOf[section].Contains(key))
                {
                    checks.Error(k, $"{path}.{key}", $"{path} has an unknown key '{key}'",
                        NameSuggestion.Closest(key, KeysOf[section]) is { } c ? $"did you mean '{c}'?" : $"it takes {string.Join(", ", KeysOf[section])}");
                    continue;
                }
                normalized.Add(k, key switch
                {
                    "file" when checks.Text(v, $"{path}.file") is { } file => ScalarNode.Text(paths.ResolvePath(file), v.Location),
                    "external" or "attachable" or "internal" or "enable_ipv4" or "enable_ipv6" when checks.Boolean(v, $"{path}.{key}") is { } b => ScalarNode.Boolean(b, v.Location),
                    "labels" => checks.KeyValues(v, $"{path}.labels") ?? new MappingNode(v.Location),
                    "name" or "driver" or "environment" or "content" when checks.Text(v, $"{path}.{key}") is { } text => ScalarNode.Text(text, v.Location),
                    _ => v,
                });
            }
            if (section is "configs" or "secrets")
            {
                var sources = new[] { "file", "environment", "content", "external" }.Where(normalized.ContainsKey).ToList();
                // Autonomy's own source: a config center namespace, rendered in a format.
                if (section == "configs" && normalized["x-autonomy"] is MappingNode autonomy && autonomy["namespace"] is not null)
                {
                    sources.Add("x-autonomy.namespace");
                }
                if (sources.Count == 0)
                {
                    checks.Error(entries, path, $"{path} does not say where its value comes from",
                        section == "secrets" ? "give it 'file: ./path', 'environment: VAR' or 'external: true'" : "give it 'file: ./path', 'content: ...', 'environment: VAR', 'external: true' or 'x-autonomy: {namespace: NAME, format: ini}'");
                }
                else if (sources.Count > 1)
                {
                    checks.Error(entries, path, $"{path} has more than one source ({string.Join(", ", sources)})", "keep exactly one of them");
                }
            }
            result.Add(nameNode, normalized);
        }
        return result;
    }
}
