using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ServiceNormalizer
{
    private static readonly HashSet<string> DeployKeys = ["mode", "replicas", "labels", "restart_policy", "resources", "placement", "update_config", "rollback_config", "endpoint_mode"];

    private YamlNode? Deploy(YamlNode value, string path)
    {
        if (checks.Mapping(value, path) is not { } map)
        {
            return null;
        }
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
                case "replicas":
                    if (checks.Integer(v, itemPath, min: 0) is { } replicas)
                    {
                        result.Add(k, ScalarNode.Number(replicas, v.Location));
                    }
                    break;
                case "mode" or "endpoint_mode":
                    if (checks.Text(v, itemPath) is { } text)
                    {
                        result.Add(k, ScalarNode.Text(text, v.Location));
                    }
                    break;
                case "labels":
                    if (checks.KeyValues(v, itemPath) is { } labels)
                    {
                        result.Add(k, labels);
                    }
                    break;
                case "restart_policy":
                    if (RestartPolicy(v, itemPath) is { } policy)
                    {
                        result.Add(k, policy);
                    }
                    break;
                default:
                    if (key.StartsWith("x-", StringComparison.Ordinal))
                    {
                        result.Add(k, v);
                        break;
                    }
                    if (DeployKeys.Contains(key))
                    {
                        if (checks.Mapping(v, itemPath) is { } m)
                        {
                            result.Add(k, m);
                        }
                        break;
                    }
                    checks.Error(k, itemPath, $"{path} has an unknown key '{key}'",
                        NameSuggestion.Closest(key, DeployKeys) is { } c ? $"did you mean '{c}'?" : $"deploy takes {string.Join(", ", DeployKeys)}");
                    break;
            }
        }
        return result;
    }

    private MappingNode? RestartPolicy(YamlNode value, string path)
    {
        if (checks.Mapping(value, path) is not { } map)
        {
            return null;
        }
        var result = new MappingNode(map.Location);
        foreach (var (k, v) in map.Entries)
        {
            var itemPath = $"{path}.{k.Value}";
            if (PassReset(k, v, result))
            {
                continue;
            }
            switch (k.Value)
            {
                case "condition":
                    var condition = checks.Text(v, itemPath);
                    if (condition is "none" or "on-failure" or "any")
                    {
                        result.Add(k, ScalarNode.Text(condition, v.Location));
                    }
                    else if (condition is not null)
                    {
                        checks.Error(v, itemPath, $"{itemPath} is '{condition}', which is not a restart condition", "use one of: none, on-failure, any");
                    }
                    break;
                case "delay" or "window":
                    if (checks.Duration(v, itemPath) is { } d)
                    {
                        result.Add(k, ScalarNode.Text(GoDuration.Format(d), v.Location));
                    }
                    break;
                case "max_attempts":
                    if (checks.Integer(v, itemPath, min: 0) is { } n)
                    {
                        result.Add(k, ScalarNode.Number(n, v.Location));
                    }
                    break;
                default:
                    checks.Error(k, itemPath, $"{path} has an unknown key '{k.Value}'", "restart_policy takes condition, delay, max_attempts and window");
                    break;
            }
        }
        return result;
    }
}
