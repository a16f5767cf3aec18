using System.Globalization;
using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// Type checks for values of the model. Each reports a wrong value at its location, with the
/// dotted path, what was expected and an example of the right form, and returns null so that the
/// caller can go on and find the file's other errors.
/// </summary>
internal sealed partial class NodeChecks(DiagnosticBag diagnostics)
{
    public DiagnosticBag Diagnostics { get; } = diagnostics;

    public void Error(YamlNode node, string path, string message, string? hint = null) => Diagnostics.Error(node, path, message, hint);

    public string? Text(YamlNode node, string path, bool allowNull = false)
    {
        if (node is ScalarNode s && (s.Value is not null || allowNull))
        {
            return s.Value;
        }
        Error(node, path, $"{path} must be a text value, not {node.Describe()}", $"write '{Leaf(path)}: value'");
        return null;
    }

    public long? Integer(YamlNode node, string path, long min = long.MinValue)
    {
        if (node is ScalarNode { Value: { } text } && CoreSchema.TryParseInteger(text, out var value))
        {
            if (value < min)
            {
                Error(node, path, $"{path} must be at least {min}, not {value}");
                return null;
            }
            return value;
        }
        Error(node, path, $"{path} must be a whole number, not {node.Describe()}", $"write it as digits, e.g. '{Leaf(path)}: {Math.Max(min, 1)}'");
        return null;
    }

    public double? Number(YamlNode node, string path)
    {
        if (node is ScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        Error(node, path, $"{path} must be a number, not {node.Describe()}", $"write e.g. '{Leaf(path)}: 0.5'");
        return null;
    }

    public bool? Boolean(YamlNode node, string path)
    {
        if (node is ScalarNode { Value: { } text } && CoreSchema.TryParseBoolean(text, out var value))
        {
            return value;
        }
        Error(node, path, $"{path} must be true or false, not {node.Describe()}", $"write '{Leaf(path)}: true' or '{Leaf(path)}: false'");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string path)
    {
        if (node is ScalarNode { Value: { } text } && GoDuration.TryParse(text, out var value))
        {
            return value;
        }
        Error(node, path, $"{path} must be a duration, not {node.Describe()}", $"write a number with a unit (h, m, s, ms, us), e.g. '{Leaf(path)}: 30s' or '1m30s'");
        return null;
    }

    public MappingNode? Mapping(YamlNode node, string path)
    {
        if (node is MappingNode m)
        {
            return m;
        }
        if (node is ScalarNode { Value: { } text } && MissingSpace().Match(text) is { Success: true } colon)
        {
            Error(node, path, $"{path} must be a mapping, but '{text}' is read as one text: YAML needs a space after the colon",
                $"write '{colon.Groups[1].Value}: {colon.Groups[2].Value}' on its own line, indented under '{Leaf(path)}:'");
            return null;
        }
        Error(node, path, $"{path} must be a mapping of keys to values, not {node.Describe()}", $"write the entries indented under '{Leaf(path)}:', one 'key: value' per line");
        return null;
    }

    /// <summary>A list of texts; with <paramref name="allowSingle"/> one text stands for a list of one.</summary>
    public List<ScalarNode>? TextList(YamlNode node, string path, bool allowSingle = false)
    {
        if (node is ScalarNode { Value: not null } single && allowSingle)
        {
            return [single];
        }
        if (node is not SequenceNode seq)
        {
            Error(node, path, $"{path} must be a list{(allowSingle ? " or a text" : "")}, not {node.Describe()}", $"write each entry on its own line under '{Leaf(path)}:', starting with '- '");
            return null;
        }
        var items = new List<ScalarNode>();
        for (var i = 0; i < seq.Items.Count; i++)
        {
            if (seq.Items[i] is ScalarNode { Value: not null } s)
            {
                items.Add(s);
            }
            else
            {
                Error(seq.Items[i], $"{path}.{i}", $"{path}.{i} must be a text value, not {seq.Items[i].Describe()}");
            }
        }
        return items;
    }

    /// <summary>
    /// A mapping written either as a mapping or as a list of <c>KEY=VALUE</c> (environment, labels):
    /// returned as a mapping of texts, where a list entry without '=' has a null value.
    /// </summary>
    public MappingNode? KeyValues(YamlNode node, string path, char separator = '=', bool keepTypes = false)
    {
        var result = new MappingNode(node.Location) { Tag = node.Tag };
        switch (node)
        {
            case MappingNode m:
                foreach (var (k, v) in m.Entries)
                {
                    if (v is ScalarNode sv)
                    {
                        // The tag stays, so that 'KEY: !reset' removes a key an earlier file set.
                        result.Add(k, keepTypes ? sv : new ScalarNode(sv.Value, sv.Location, quoted: true) { Tag = sv.Tag, Original = sv.Original });
                    }
                    else
                    {
                        Error(v, $"{path}.{k.Value}", $"{path}.{k.Value} must be a single value, not {v.Describe()}", "quote the value if it holds YAML characters");
                    }
                }
                return result;
            case SequenceNode seq:
                for (var i = 0; i < seq.Items.Count; i++)
                {
                    if (seq.Items[i] is not ScalarNode { Value: { } entry } item)
                    {
                        Error(seq.Items[i], $"{path}.{i}", $"{path}.{i} must be a 'KEY{separator}VALUE' text, not {seq.Items[i].Describe()}");
                        continue;
                    }
                    var at = entry.IndexOf(separator);
                    var key = at < 0 ? entry : entry[..at];
                    var value = at < 0 ? null : entry[(at + 1)..];
                    if (key.Length == 0)
                    {
                        Error(item, $"{path}.{i}", $"{path}.{i} has no name before '{separator}'", $"write 'NAME{separator}value'");
                        continue;
                    }
                    result.Set(key, ScalarNode.Text(value, item.Location), item.Location);
                }
                return result;
            case ScalarNode { Value: null }:
                return result;
            default:
                Error(node, path, $"{path} must be a mapping or a list of 'KEY{separator}VALUE', not {node.Describe()}", $"write e.g. '{Leaf(path)}:' followed by indented 'KEY: value' lines");
                return null;
        }
    }

    public static string Leaf(string path) => path[(path.LastIndexOf('.') + 1)..];

    [System.Text.RegularExpressions.GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_.-]*):([^\s/].*)$")]
    private static partial System.Text.RegularExpressions.Regex MissingSpace();
}
