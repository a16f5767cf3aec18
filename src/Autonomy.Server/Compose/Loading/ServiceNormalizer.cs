using System.Globalization;
using System.Text.RegularExpressions;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// Checks one service's attributes against the spec and rewrites short forms into the long forms
/// <c>docker compose config</c> prints (ports, volumes, depends_on, environment, command…), with
/// relative paths made absolute against the folder of the file that wrote them. Merging, extends
/// and the typed model all work on this one canonical form.
/// </summary>
internal sealed partial class ServiceNormalizer(NodeChecks checks, string baseDirectory, string homeDirectory)
{
    public string BaseDirectory { get; } = baseDirectory;

    public MappingNode Normalize(string name, YamlNode raw)
    {
        var path = $"services.{name}";
        if (raw is ScalarNode { Value: null })
        {
            checks.Error(raw, path, $"the service '{name}' has no definition", "give it at least 'command:', 'build:' or 'image:'");
            return new MappingNode(raw.Location);
        }
        if (checks.Mapping(raw, path) is not { } map)
        {
            return new MappingNode(raw.Location);
        }
        var result = new MappingNode(map.Location) { Tag = map.Tag };
        foreach (var (keyNode, value) in map.Entries)
        {
            var key = keyNode.Value!;
            var fieldPath = $"{path}.{key}";
            if (key.StartsWith("x-", StringComparison.Ordinal))
            {
                result.Add(keyNode, value);
                continue;
            }
            if (!ServiceFields.All.TryGetValue(key, out var field))
            {
                UnknownServiceKey(keyNode, name, fieldPath);
                continue;
            }
            if (value.IsReset)
            {
                // The value of !reset is ignored; the merge removes what an earlier file set.
                result.Add(keyNode, new ScalarNode(null, value.Location) { Tag = value.Tag });
                continue;
            }
            if (value is ScalarNode { Value: null })
            {
                continue;
            }
            var normalized = field.Kind == FieldKind.Special ? NormalizeSpecial(key, value, fieldPath) : NormalizeSimple(field.Kind, value, fieldPath);
            if (normalized is not null)
            {
                normalized.Tag ??= value.Tag;
                result.Add(keyNode, normalized);
            }
        }
        return result;
    }

    /// <summary>
    /// Keeps a <c>!reset</c> (or <c>!override</c> of nothing) below a service attribute as a tagged
    /// null, whatever type the attribute has, so that the merge can apply it. True when it did.
    /// </summary>
    private static bool PassReset(ScalarNode key, YamlNode value, MappingNode into)
    {
        if (!value.IsReset)
        {
            return false;
        }
        into.Add(key, new ScalarNode(null, value.Location) { Tag = value.Tag });
        return true;
    }

    /// <summary>
    /// Within one service, an entry of ports, volumes, secrets, configs or env_file that repeats an
    /// earlier one's unique key replaces it in place (compose-go's unicity rule).
    /// </summary>
    public static void EnforceUniqueEntries(MappingNode service)
    {
        foreach (var field in new[] { "ports", "volumes", "secrets", "configs", "env_file" })
        {
            if (service[field] is not SequenceNode seq)
            {
                continue;
            }
            var keyOf = ComposeMerger.UniqueKey("service." + field);
            var unique = new List<YamlNode>();
            foreach (var item in seq.Items)
            {
                var at = unique.FindIndex(u => keyOf(u) == keyOf(item));
                if (at >= 0)
                {
                    unique[at] = item;
                }
                else
                {
                    unique.Add(item);
                }
            }
            seq.Items.Clear();
            seq.Items.AddRange(unique);
        }
    }

    private void UnknownServiceKey(ScalarNode keyNode, string service, string fieldPath)
    {
        var key = keyNode.Value!;
        var hint = NameSuggestion.Closest(key, ServiceFields.All.Keys) is { } c
            ? $"did you mean '{c}'? Extension fields of your own must start with 'x-'"
            : "see the Compose Specification's service attributes; fields of your own must start with 'x-'";
        checks.Error(keyNode, fieldPath, $"the service '{service}' has an unknown attribute '{key}'", hint);
    }

    private YamlNode? NormalizeSpecial(string key, YamlNode value, string path) => key switch
    {
        "label_file" => checks.TextList(value, path, allowSingle: true) is { } files
            ? new SequenceNode(value.Location, files.Select(f => ScalarNode.Text(ResolvePath(f.Value!), f.Location)))
            : null,
        "develop" => Develop(value, path),
        "build" => Build(value, path),
        "command" or "entrypoint" => Command(value, path),
        "environment" => checks.KeyValues(value, path),
        "env_file" => EnvFiles(value, path),
        "ports" => Ports(value, path),
        "expose" => Expose(value, path),
        "depends_on" => DependsOn(value, path),
        "healthcheck" => HealthCheck(value, path),
        "restart" => Restart(value, path),
        "deploy" => Deploy(value, path),
        "volumes" => Volumes(value, path),
        "configs" or "secrets" => FileReferences(value, path),
        "extends" => Extends(value, path),
        "networks" => Networks(value, path),
        "ulimits" => Ulimits(value, path),
        _ => value,
    };

    private YamlNode? NormalizeSimple(FieldKind kind, YamlNode value, string path)
    {
        switch (kind)
        {
            case FieldKind.Text:
                return checks.Text(value, path) is { } text ? ScalarNode.Text(text, value.Location) : null;
            case FieldKind.Integer:
                return checks.Integer(value, path) is { } i ? ScalarNode.Number(i, value.Location) : null;
            case FieldKind.Number:
                return checks.Number(value, path) is { } n ? new ScalarNode(n.ToString("R", CultureInfo.InvariantCulture), value.Location) { ForcedKind = n == Math.Floor(n) ? ScalarKind.Integer : ScalarKind.Float } : null;
            case FieldKind.Boolean:
                return checks.Boolean(value, path) is { } b ? ScalarNode.Boolean(b, value.Location) : null;
            case FieldKind.Duration:
                return checks.Duration(value, path) is { } d ? ScalarNode.Text(GoDuration.Format(d), value.Location) : null;
            case FieldKind.ByteSize:
                return ByteSize(value, path);
            case FieldKind.TextOrList:
            case FieldKind.TextList:
                return checks.TextList(value, path, allowSingle: kind == FieldKind.TextOrList) is { } list
                    ? new SequenceNode(value.Location, list.Select(s => ScalarNode.Text(s.Value, s.Location)))
                    : null;
            case FieldKind.KeyValues:
                return checks.KeyValues(value, path);
            case FieldKind.Mapping:
                return checks.Mapping(value, path);
            default:
                return value;
        }
    }

    private YamlNode? ByteSize(YamlNode value, string path)
    {
        if (value is ScalarNode { Value: { } text })
        {
            var m = ByteSizePattern().Match(text.Trim());
            if (m.Success)
            {
                var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                var unit = m.Groups[2].Value.ToLowerInvariant().TrimEnd('b');
                var factor = unit switch { "k" => 1L << 10, "m" => 1L << 20, "g" => 1L << 30, "t" => 1L << 40, _ => 1L };
                return ScalarNode.Number((long)(number * factor), value.Location);
            }
        }
        checks.Error(value, path, $"{path} must be a size in bytes, not {value.Describe()}", $"write a number with an optional unit (b, k, m, g), e.g. '{NodeChecks.Leaf(path)}: 512m'");
        return null;
    }

    private YamlNode? Command(YamlNode value, string path)
    {
        if (value is ScalarNode { Value: { } text })
        {
            var words = ShellWords.Split(text, out var error);
            if (words is null)
            {
                checks.Error(value, path, $"{path} cannot be split into words: {error}", "close the quote, or write the command as a list: [\"prog\", \"arg\"]");
                return null;
            }
            return new SequenceNode(value.Location, words.Select(w => ScalarNode.Text(w, value.Location))) { ShellText = text };
        }
        if (value is MappingNode)
        {
            checks.Error(value, path, $"{path} must be a command: a text or a list of words, not a mapping", $"write '{NodeChecks.Leaf(path)}: prog arg' or '{NodeChecks.Leaf(path)}: [\"prog\", \"arg\"]'");
            return null;
        }
        return checks.TextList(value, path) is { } list ? new SequenceNode(value.Location, list.Select(s => ScalarNode.Text(s.Value, s.Location))) : null;
    }

    /// <summary><c>develop</c> as written, with each watch rule's path made absolute.</summary>
    private MappingNode? Develop(YamlNode value, string path)
    {
        if (checks.Mapping(value, path) is not { } develop)
        {
            return null;
        }
        foreach (var rule in (develop["watch"] as SequenceNode)?.Items.OfType<MappingNode>() ?? [])
        {
            if (rule["path"] is ScalarNode { Value: { } watched } scalar)
            {
                scalar.Value = ResolvePath(watched);
            }
        }
        return develop;
    }

    private YamlNode? Restart(YamlNode value, string path)
    {
        if (checks.Text(value, path) is not { } text)
        {
            return null;
        }
        if (text is "no" or "always" or "unless-stopped" or "on-failure" || (RestartOnFailure().IsMatch(text) && int.TryParse(text["on-failure:".Length..], out _)))
        {
            return ScalarNode.Text(text, value.Location);
        }
        checks.Error(value, path, $"{path} is '{text}', which is not a restart policy", "use one of: no, always, on-failure, on-failure:N (N retries at most), unless-stopped");
        return null;
    }

    private YamlNode? Extends(YamlNode value, string path)
    {
        if (value is ScalarNode { Value: { } service })
        {
            var mapping = new MappingNode(value.Location);
            mapping.Set("service", ScalarNode.Text(service, value.Location));
            return mapping;
        }
        if (checks.Mapping(value, path) is not { } map)
        {
            return null;
        }
        var result = new MappingNode(map.Location);
        foreach (var (k, v) in map.Entries)
        {
            switch (k.Value)
            {
                case "service":
                    if (checks.Text(v, $"{path}.service") is { } s)
                    {
                        result.Set("service", ScalarNode.Text(s, v.Location));
                    }
                    break;
                case "file":
                    if (checks.Text(v, $"{path}.file") is { } f)
                    {
                        result.Set("file", ScalarNode.Text(ResolvePath(f), v.Location));
                    }
                    break;
                default:
                    if (k.Value!.StartsWith("x-", StringComparison.Ordinal))
                    {
                        break;
                    }
                    checks.Error(k, $"{path}.{k.Value}", $"{path} has an unknown key '{k.Value}'", "extends takes 'service' and, for another file, 'file'");
                    break;
            }
        }
        if (!result.ContainsKey("service"))
        {
            checks.Error(map, path, $"{path} does not name the service to extend", "add 'service: <name>' under extends");
        }
        return result;
    }

    private YamlNode? Networks(YamlNode value, string path)
    {
        if (value is SequenceNode)
        {
            var names = checks.TextList(value, path);
            if (names is null)
            {
                return null;
            }
            var map = new MappingNode(value.Location);
            foreach (var n in names)
            {
                map.Set(n.Value!, new ScalarNode(null, n.Location), n.Location);
            }
            return map;
        }
        return checks.Mapping(value, path);
    }

    private YamlNode? Ulimits(YamlNode value, string path)
    {
        if (checks.Mapping(value, path) is not { } map)
        {
            return null;
        }
        var result = new MappingNode(map.Location);
        foreach (var (k, v) in map.Entries)
        {
            var itemPath = $"{path}.{k.Value}";
            if (v is MappingNode limits)
            {
                var pair = new MappingNode(v.Location);
                foreach (var (lk, lv) in limits.Entries)
                {
                    if (lk.Value is "soft" or "hard")
                    {
                        if (checks.Integer(lv, $"{itemPath}.{lk.Value}") is { } n)
                        {
                            pair.Set(lk.Value, ScalarNode.Number(n, lv.Location));
                        }
                    }
                    else
                    {
                        checks.Error(lk, $"{itemPath}.{lk.Value}", $"{itemPath} has an unknown key '{lk.Value}'", "a limit takes 'soft' and 'hard'");
                    }
                }
                result.Add(k, pair);
            }
            else if (checks.Integer(v, itemPath) is { } single)
            {
                result.Add(k, ScalarNode.Number(single, v.Location));
            }
        }
        return result;
    }

    /// <summary>Absolute form of a path written in a file: <c>~</c> is the home folder, relative is from the file's base folder.</summary>
    public string ResolvePath(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            return Path.GetFullPath(Path.Join(homeDirectory, path.Length > 1 ? path[2..] : ""));
        }
        return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(BaseDirectory, path));
    }

    /// <summary>A build context that names a remote repository is passed on as written.</summary>
    private static bool IsRemote(string context) =>
        context.Contains("://", StringComparison.Ordinal) || context.StartsWith("git@", StringComparison.Ordinal) || context.StartsWith("github.com/", StringComparison.Ordinal);

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([bkmgtBKMGT][bB]?)?$")]
    private static partial Regex ByteSizePattern();

    [GeneratedRegex(@"^on-failure:[0-9]+$")]
    private static partial Regex RestartOnFailure();
}
