using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ServiceNormalizer
{
    /// <summary>A health check with <c>test</c> as a list whose first word says how it runs.</summary>
    private YamlNode? HealthCheck(YamlNode value, string path)
    {
        if (checks.Mapping(value, path) is not { } map)
        {
            return null;
        }
        var result = new MappingNode(map.Location) { Tag = map.Tag };
        foreach (var (k, v) in map.Entries)
        {
            var key = k.Value!;
            var itemPath = $"{path}.{key}";
            if (v.IsReset)
            {
                result.Add(k, new ScalarNode(null, v.Location) { Tag = v.Tag });
                continue;
            }
            switch (key)
            {
                case "test":
                    if (HealthTest(v, itemPath) is { } test)
                    {
                        test.Tag = v.Tag;
                        result.Add(k, test);
                    }
                    break;
                case "interval" or "timeout" or "start_period" or "start_interval":
                    if (checks.Duration(v, itemPath) is { } d)
                    {
                        result.Add(k, ScalarNode.Text(GoDuration.Format(d), v.Location));
                    }
                    break;
                case "retries":
                    if (checks.Integer(v, itemPath, min: 0) is { } r)
                    {
                        result.Add(k, ScalarNode.Number(r, v.Location));
                    }
                    break;
                case "disable":
                    if (checks.Boolean(v, itemPath) is { } b)
                    {
                        result.Add(k, ScalarNode.Boolean(b, v.Location));
                    }
                    break;
                default:
                    if (key.StartsWith("x-", StringComparison.Ordinal))
                    {
                        result.Add(k, v);
                        break;
                    }
                    checks.Error(k, itemPath, $"{path} has an unknown key '{key}'",
                        "a health check takes test, interval, timeout, retries, start_period, start_interval and disable");
                    break;
            }
        }
        return result;
    }

    private SequenceNode? HealthTest(YamlNode value, string path)
    {
        if (value is ScalarNode { Value: { } shell })
        {
            // A plain text is a shell command; NONE alone turns the image's check off.
            return shell == "NONE"
                ? new SequenceNode(value.Location, [ScalarNode.Text("NONE", value.Location)])
                : new SequenceNode(value.Location, [ScalarNode.Text("CMD-SHELL", value.Location), ScalarNode.Text(shell, value.Location)]);
        }
        if (checks.TextList(value, path) is not { } words)
        {
            return null;
        }
        if (words.Count == 0 || words[0].Value is not ("CMD" or "CMD-SHELL" or "NONE"))
        {
            checks.Error(words.Count == 0 ? value : words[0], path, $"{path} must start with CMD, CMD-SHELL or NONE",
                "write [\"CMD\", \"prog\", \"arg\"] to run a program, [\"CMD-SHELL\", \"shell command\"] for a shell, or a plain text for a shell command");
            return null;
        }
        if (words[0].Value is "CMD" or "CMD-SHELL" && words.Count < 2)
        {
            checks.Error(value, path, $"{path} names no command after {words[0].Value}", $"write [\"{words[0].Value}\", \"...\"]");
            return null;
        }
        return new SequenceNode(value.Location, words.Select(w => ScalarNode.Text(w.Value, w.Location)));
    }
}
