using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ServiceNormalizer
{
    public static readonly string[] DependsOnConditions = ["service_started", "service_healthy", "service_completed_successfully"];

    /// <summary>Both forms of <c>depends_on</c> as the mapping docker compose prints: name → {condition, required}.</summary>
    private YamlNode? DependsOn(YamlNode value, string path)
    {
        var result = new MappingNode(value.Location);
        if (value is SequenceNode)
        {
            foreach (var name in checks.TextList(value, path) ?? [])
            {
                result.Set(name.Value!, Dependency(name.Location, "service_started", true, null), name.Location);
            }
            return result;
        }
        if (value is not MappingNode map)
        {
            checks.Error(value, path, $"{path} must be a list of service names or a mapping of them, not {value.Describe()}", "write 'depends_on: [db]', or 'db:' with 'condition: service_healthy' indented under it");
            return null;
        }
        foreach (var (k, v) in map.Entries)
        {
            var itemPath = $"{path}.{k.Value}";
            if (PassReset(k, v, result))
            {
                continue;
            }
            if (v is ScalarNode { Value: null })
            {
                result.Add(k, Dependency(k.Location, "service_started", true, null));
                continue;
            }
            if (checks.Mapping(v, itemPath) is not { } options)
            {
                continue;
            }
            var condition = "service_started";
            var required = true;
            bool? restart = null;
            foreach (var (ok, ov) in options.Entries)
            {
                switch (ok.Value)
                {
                    case "condition":
                        var text = checks.Text(ov, $"{itemPath}.condition");
                        if (text is not null && !DependsOnConditions.Contains(text))
                        {
                            checks.Error(ov, $"{itemPath}.condition", $"{itemPath}.condition is '{text}', which is not a condition",
                                $"use one of: {string.Join(", ", DependsOnConditions)}");
                        }
                        condition = text ?? condition;
                        break;
                    case "required":
                        required = checks.Boolean(ov, $"{itemPath}.required") ?? true;
                        break;
                    case "restart":
                        restart = checks.Boolean(ov, $"{itemPath}.restart");
                        break;
                    default:
                        if (ok.Value!.StartsWith("x-", StringComparison.Ordinal))
                        {
                            break;
                        }
                        checks.Error(ok, $"{itemPath}.{ok.Value}", $"{itemPath} has an unknown key '{ok.Value}'", "a dependency takes 'condition', 'required' and 'restart'");
                        break;
                }
            }
            result.Add(k, Dependency(options.Location, condition, required, restart));
        }
        return result;
    }

    private static MappingNode Dependency(SourceLocation location, string condition, bool required, bool? restart)
    {
        var node = new MappingNode(location);
        node.Set("condition", ScalarNode.Text(condition, location));
        if (restart is { } r)
        {
            node.Set("restart", ScalarNode.Boolean(r, location));
        }
        node.Set("required", ScalarNode.Boolean(required, location));
        return node;
    }
}
