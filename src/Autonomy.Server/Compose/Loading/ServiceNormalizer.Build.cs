using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ServiceNormalizer
{
    private static readonly HashSet<string> BuildKeys =
    [
        "context", "dockerfile", "dockerfile_inline", "args", "ssh", "cache_from", "cache_to", "extra_hosts", "isolation",
        "labels", "network", "shm_size", "target", "secrets", "tags", "ulimits", "platforms", "privileged",
        "additional_contexts", "no_cache", "pull", "entitlements", "provenance", "sbom",
    ];

    /// <summary><c>build: dir</c> or the long form; the context made absolute, the Dockerfile named.</summary>
    private YamlNode? Build(YamlNode value, string path)
    {
        if (value is ScalarNode { Value: { } contextOnly })
        {
            var shortForm = new MappingNode(value.Location);
            shortForm.Set("context", ScalarNode.Text(Context(contextOnly), value.Location));
            return shortForm;
        }
        if (checks.Mapping(value, path) is not { } map)
        {
            return null;
        }
        // No defaults here: an extending service's build must not reset its base's context.
        // ComposeLoad fills them in once everything is merged.
        var result = new MappingNode(map.Location);
        foreach (var (k, v) in map.Entries)
        {
            var key = k.Value!;
            var itemPath = $"{path}.{key}";
            if (PassReset(k, v, result))
            {
                continue;
            }
            switch (key)
            {
                case "context":
                    if (checks.Text(v, itemPath) is { } context)
                    {
                        result.Add(k, ScalarNode.Text(Context(context), v.Location));
                    }
                    break;
                case "dockerfile" or "dockerfile_inline" or "network" or "target" or "isolation":
                    if (checks.Text(v, itemPath) is { } text)
                    {
                        result.Add(k, ScalarNode.Text(text, v.Location));
                    }
                    break;
                case "args" or "labels":
                    if (checks.KeyValues(v, itemPath) is { } kv)
                    {
                        result.Add(k, kv);
                    }
                    break;
                case "additional_contexts":
                    if (checks.KeyValues(v, itemPath) is { } contexts)
                    {
                        // A folder is made absolute; an image (docker-image://), a service (service:) or a URL stays.
                        foreach (var (_, extra) in contexts.Entries)
                        {
                            if (extra is ScalarNode { Value: { } folder } scalar && !folder.Contains(':', StringComparison.Ordinal))
                            {
                                scalar.Value = ResolvePath(folder);
                            }
                        }
                        result.Add(k, contexts);
                    }
                    break;
                case "privileged" or "no_cache" or "pull":
                    if (checks.Boolean(v, itemPath) is { } b)
                    {
                        result.Add(k, ScalarNode.Boolean(b, v.Location));
                    }
                    break;
                case "cache_from" or "cache_to" or "tags" or "platforms" or "entitlements":
                    if (checks.TextList(v, itemPath) is { } list)
                    {
                        result.Add(k, new SequenceNode(v.Location, list.Select(s => ScalarNode.Text(s.Value, s.Location))));
                    }
                    break;
                default:
                    if (key.StartsWith("x-", StringComparison.Ordinal) || BuildKeys.Contains(key))
                    {
                        result.Add(k, v);
                    }
                    else
                    {
                        checks.Error(k, itemPath, $"{path} has an unknown key '{key}'",
                            NameSuggestion.Closest(key, BuildKeys) is { } c ? $"did you mean '{c}'?" : "build takes context, dockerfile, args, target and the other keys of the spec");
                    }
                    break;
            }
        }
        return result;
    }

    /// <summary>
    /// The build defaults, applied after merging: the context is the project directory, and the
    /// Dockerfile is named "Dockerfile" unless one is given inline. Context and Dockerfile come first.
    /// </summary>
    public static MappingNode WithDefaults(MappingNode build, string projectDirectory)
    {
        var result = new MappingNode(build.Location);
        result.Set("context", build["context"] ?? ScalarNode.Text(projectDirectory, build.Location));
        if (build["dockerfile"] is { } dockerfile)
        {
            result.Set("dockerfile", dockerfile);
        }
        else if (!build.ContainsKey("dockerfile_inline"))
        {
            result.Set("dockerfile", ScalarNode.Text("Dockerfile", build.Location));
        }
        foreach (var (k, v) in build.Entries.Where(e => e.Key.Value is not ("context" or "dockerfile")))
        {
            result.Add(k, v);
        }
        return result;
    }

    private string Context(string context) => IsRemote(context) ? context : ResolvePath(context);
}
