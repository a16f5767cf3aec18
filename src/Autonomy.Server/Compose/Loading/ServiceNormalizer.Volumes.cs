using System.Globalization;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ServiceNormalizer
{
    private static readonly HashSet<string> VolumeTypes = ["volume", "bind", "tmpfs", "npipe", "cluster", "image"];
    private static readonly HashSet<string> VolumeKeys = ["type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image"];

    /// <summary>
    /// <c>volumes</c> as long entries. In the short form a source that starts with '.', '/' or '~'
    /// is a host path (a bind mount, made absolute); any other source names a volume.
    /// </summary>
    private YamlNode? Volumes(YamlNode value, string path)
    {
        if (value is not SequenceNode seq)
        {
            checks.Error(value, path, $"{path} must be a list, not {value.Describe()}", "write each mount on its own line: '- ./data:/data'");
            return null;
        }
        var result = new SequenceNode(value.Location);
        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            var itemPath = $"{path}.{i}";
            var volume = item switch
            {
                ScalarNode { Value: { } text } => ShortVolume(item, text, itemPath),
                MappingNode map => LongVolume(map, itemPath),
                _ => null,
            };
            if (volume is null && item is not (ScalarNode { Value: not null } or MappingNode))
            {
                checks.Error(item, itemPath, $"{itemPath} must be a mount such as './data:/data' or a mapping with 'type' and 'target', not {item.Describe()}");
            }
            if (volume is not null)
            {
                result.Items.Add(volume);
            }
        }
        return result;
    }

    private MappingNode? ShortVolume(YamlNode node, string text, string path)
    {
        var parts = text.Split(':');
        string? source = null, target, mode = null;
        switch (parts.Length)
        {
            case 1:
                target = parts[0];
                break;
            case 2:
                (source, target) = (parts[0], parts[1]);
                break;
            case 3:
                (source, target, mode) = (parts[0], parts[1], parts[2]);
                break;
            default:
                checks.Error(node, path, $"{path} is '{text}', which has too many ':' for a mount", "write SOURCE:TARGET or SOURCE:TARGET:MODE (MODE is ro or rw)");
                return null;
        }
        if (target.Length == 0 || (source is not null && source.Length == 0))
        {
            checks.Error(node, path, $"{path} is '{text}', which leaves the source or the target empty", "write SOURCE:TARGET, e.g. ./data:/data");
            return null;
        }
        var result = new MappingNode(node.Location);
        var isPath = source is not null && (source.StartsWith('.') || source.StartsWith('/') || source.StartsWith('~'));
        result.Set("type", ScalarNode.Text(source is null || !isPath ? "volume" : "bind", node.Location));
        if (source is not null)
        {
            result.Set("source", ScalarNode.Text(isPath ? ResolvePath(source) : source, node.Location));
        }
        result.Set("target", ScalarNode.Text(target, node.Location));
        var modes = mode?.Split(',') ?? [];
        if (modes.Contains("ro"))
        {
            result.Set("read_only", ScalarNode.Boolean(true, node.Location));
        }
        foreach (var m in modes.Where(m => m is not ("ro" or "rw" or "z" or "Z" or "nocopy" or "shared" or "rshared" or "slave" or "rslave" or "private" or "rprivate" or "cached" or "delegated" or "consistent")))
        {
            checks.Error(node, path, $"{path} has the mode '{m}', which is not a mount mode", "use ro (read-only) or rw");
        }
        if (isPath)
        {
            var bind = new MappingNode(node.Location);
            if (modes.FirstOrDefault(m => m is "shared" or "rshared" or "slave" or "rslave" or "private" or "rprivate") is { } propagation)
            {
                bind.Set("propagation", ScalarNode.Text(propagation, node.Location));
            }
            bind.Set("create_host_path", ScalarNode.Boolean(true, node.Location));
            if (modes.FirstOrDefault(m => m is "z" or "Z") is { } selinux)
            {
                bind.Set("selinux", ScalarNode.Text(selinux, node.Location));
            }
            result.Set("bind", bind);
        }
        else
        {
            var volume = new MappingNode(node.Location);
            if (modes.Contains("nocopy"))
            {
                volume.Set("nocopy", ScalarNode.Boolean(true, node.Location));
            }
            result.Set("volume", volume);
        }
        return result;
    }

    private MappingNode? LongVolume(MappingNode map, string path)
    {
        var result = new MappingNode(map.Location);
        var type = map["type"] is { } t ? checks.Text(t, $"{path}.type") : "volume";
        if (type is not null && !VolumeTypes.Contains(type))
        {
            checks.Error(map["type"]!, $"{path}.type", $"{path}.type is '{type}', which is not a mount type", $"use one of: {string.Join(", ", VolumeTypes)}");
        }
        result.Set("type", ScalarNode.Text(type ?? "volume", map.Location));
        foreach (var (k, v) in map.Entries)
        {
            var itemPath = $"{path}.{k.Value}";
            switch (k.Value)
            {
                case "type":
                    break;
                case "source":
                    if (checks.Text(v, itemPath) is { } source)
                    {
                        result.Set("source", ScalarNode.Text(type == "bind" ? ResolvePath(source) : source, v.Location));
                    }
                    break;
                case "target" or "consistency":
                    if (checks.Text(v, itemPath) is { } text)
                    {
                        result.Set(k.Value, ScalarNode.Text(text, v.Location));
                    }
                    break;
                case "read_only":
                    if (checks.Boolean(v, itemPath) is { } ro)
                    {
                        result.Set("read_only", ScalarNode.Boolean(ro, v.Location));
                    }
                    break;
                default:
                    if (k.Value!.StartsWith("x-", StringComparison.Ordinal))
                    {
                        result.Set(k.Value, v);
                        break;
                    }
                    if (VolumeKeys.Contains(k.Value!))
                    {
                        if (checks.Mapping(v, itemPath) is { } options)
                        {
                            result.Set(k.Value!, options);
                        }
                        break;
                    }
                    checks.Error(k, itemPath, $"{path} has an unknown key '{k.Value}'",
                        NameSuggestion.Closest(k.Value, VolumeKeys) is { } c ? $"did you mean '{c}'?" : $"a mount takes {string.Join(", ", VolumeKeys)}");
                    break;
            }
        }
        if (!result.ContainsKey("target"))
        {
            checks.Error(map, path, $"{path} has no 'target' (where the mount appears)", "add 'target: /path'");
            return null;
        }
        if (type == "bind" && !result.ContainsKey("source"))
        {
            checks.Error(map, path, $"{path} is a bind mount with no 'source'", "add 'source: ./host/folder'");
            return null;
        }
        return result;
    }

    /// <summary>Service <c>configs</c> and <c>secrets</c>: a name or {source, target, uid, gid, mode}.</summary>
    private YamlNode? FileReferences(YamlNode value, string path)
    {
        if (value is not SequenceNode seq)
        {
            checks.Error(value, path, $"{path} must be a list, not {value.Describe()}", $"write each one on its own line: '- name'");
            return null;
        }
        var result = new SequenceNode(value.Location);
        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            var itemPath = $"{path}.{i}";
            var entry = new MappingNode(item.Location);
            if (item is ScalarNode { Value: { } name })
            {
                entry.Set("source", ScalarNode.Text(name, item.Location));
                result.Items.Add(entry);
                continue;
            }
            if (checks.Mapping(item, itemPath) is not { } map)
            {
                continue;
            }
            foreach (var (k, v) in map.Entries)
            {
                var keyPath = $"{itemPath}.{k.Value}";
                switch (k.Value)
                {
                    case "source" or "target" or "uid" or "gid":
                        if (checks.Text(v, keyPath) is { } text)
                        {
                            entry.Set(k.Value, ScalarNode.Text(text, v.Location));
                        }
                        break;
                    case "mode":
                        if (FileMode(v, keyPath) is { } mode)
                        {
                            entry.Set("mode", ScalarNode.Number(mode, v.Location));
                        }
                        break;
                    default:
                        if (!k.Value!.StartsWith("x-", StringComparison.Ordinal))
                        {
                            checks.Error(k, keyPath, $"{itemPath} has an unknown key '{k.Value}'", "it takes source, target, uid, gid and mode");
                        }
                        break;
                }
            }
            if (!entry.ContainsKey("source"))
            {
                checks.Error(map, itemPath, $"{itemPath} does not name its source", "add 'source: <name>' naming an entry of the top-level section");
                continue;
            }
            result.Items.Add(entry);
        }
        return result;
    }

    /// <summary>A file mode: written with a leading 0 it is octal (0440), as users of chmod mean it.</summary>
    private long? FileMode(YamlNode value, string path)
    {
        if (value is ScalarNode { Value: { } text })
        {
            text = text.Trim();
            if (text.Length is > 1 and <= 6 && text[0] == '0' && text.All(c => c is >= '0' and <= '7'))
            {
                return Convert.ToInt64(text, 8);
            }
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 4095)
            {
                return n;
            }
        }
        checks.Error(value, path, $"{path} must be a file mode, not {value.Describe()}", "write it in octal with a leading 0, e.g. 'mode: 0440'");
        return null;
    }
}
