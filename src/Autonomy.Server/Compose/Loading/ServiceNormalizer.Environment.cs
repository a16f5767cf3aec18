using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ServiceNormalizer
{
    /// <summary><c>env_file</c> as a list of <c>{path, required}</c>, paths absolute; <c>required</c> defaults to true.</summary>
    private YamlNode? EnvFiles(YamlNode value, string path)
    {
        var items = value is SequenceNode seq ? seq.Items : [value];
        var result = new SequenceNode(value.Location);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var itemPath = value is SequenceNode ? $"{path}.{i}" : path;
            var entry = new MappingNode(item.Location);
            switch (item)
            {
                case ScalarNode { Value: { } file }:
                    entry.Set("path", ScalarNode.Text(ResolvePath(file), item.Location));
                    entry.Set("required", ScalarNode.Boolean(true, item.Location));
                    break;
                case MappingNode map:
                    var required = true;
                    foreach (var (k, v) in map.Entries)
                    {
                        switch (k.Value)
                        {
                            case "path":
                                if (checks.Text(v, $"{itemPath}.path") is { } file)
                                {
                                    entry.Set("path", ScalarNode.Text(ResolvePath(file), v.Location));
                                }
                                break;
                            case "required":
                                required = checks.Boolean(v, $"{itemPath}.required") ?? true;
                                break;
                            case "format":
                                if (checks.Text(v, $"{itemPath}.format") is { } format)
                                {
                                    entry.Set("format", ScalarNode.Text(format, v.Location));
                                }
                                break;
                            default:
                                checks.Error(k, $"{itemPath}.{k.Value}", $"{itemPath} has an unknown key '{k.Value}'", "an env_file entry takes 'path', 'required' and 'format'");
                                break;
                        }
                    }
                    if (!entry.ContainsKey("path"))
                    {
                        checks.Error(map, itemPath, $"{itemPath} does not say which file to read", "add 'path: ./file.env'");
                        continue;
                    }
                    entry.Set("required", ScalarNode.Boolean(required, map.Location));
                    break;
                default:
                    checks.Error(item, itemPath, $"{itemPath} must be a file path or a mapping with 'path', not {item.Describe()}", "write '- ./file.env'");
                    continue;
            }
            result.Items.Add(entry);
        }
        return result;
    }
}
