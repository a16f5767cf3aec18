using System.Text.RegularExpressions;
using Autonomy.Server.Compose.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Autonomy.Server.Compose.Yaml;

/// <summary>
/// Reads YAML text into a <see cref="YamlNode"/> tree with locations, from YamlDotNet's event
/// parser. Anchors and aliases are expanded as copies (so that a later merge never edits two places
/// at once), <c>&lt;&lt;</c> merge keys are applied, and duplicate keys are errors, as in compose-go.
/// </summary>
internal static partial class YamlTreeReader
{
    // yaml.v3 (compose-go's parser) refuses deeper nesting too; every later pass recurses over the tree.
    private const int MaxDepth = 500;

    // Aliases are expanded as copies: this bounds what a few lines of aliases may multiply into.
    private const int MaxExpandedNodes = 1_000_000;

    /// <summary>Parses one document. Returns null when the text is not valid YAML (the error is in <paramref name="diagnostics"/>).</summary>
    public static YamlNode? Read(string text, string file, DiagnosticBag diagnostics)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var budget = new int[] { MaxExpandedNodes };
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, file, anchors, diagnostics, 0, budget);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                var start = parser.Current?.Start;
                diagnostics.Error(new SourceLocation(file, (int)(start?.Line ?? 0), (int)(start?.Column ?? 0)), "",
                    "the file holds more than one YAML document (a '---' line starts another)",
                    "a compose file is one document: remove the '---' line, or split the documents into files given with several -f");
            }
            return root;
        }
        catch (YamlException e)
        {
            ReportSyntaxError(text, file, e, diagnostics);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // YamlDotNet throws these for some malformed inputs (an unclosed [ running into the next line).
            var at = parser.Current?.Start;
            ReportSyntaxError(text, file, new YamlException(at ?? YamlDotNet.Core.Mark.Empty, at ?? YamlDotNet.Core.Mark.Empty, e.Message), diagnostics);
            return null;
        }
    }

    private static YamlNode ReadNode(IParser parser, string file, Dictionary<string, YamlNode> anchors, DiagnosticBag diagnostics, int depth, int[] budget)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the YAML stream");
        if (depth > MaxDepth)
        {
            throw new YamlException(current.Start, current.End, $"the document nests more than {MaxDepth} levels deep");
        }
        var location = new SourceLocation(file, (int)current.Start.Line, (int)current.Start.Column);
        YamlNode node;
        string anchor;
        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                if (!anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    throw new YamlException(alias.Start, alias.End, $"the alias *{alias.Value.Value} names no anchor defined before it");
                }
                budget[0] -= CountNodes(target);
                if (budget[0] < 0)
                {
                    throw new YamlException(alias.Start, alias.End, "the document expands its aliases into too many values (excessive aliasing)");
                }
                return target.DeepClone();
            case Scalar scalar:
                parser.MoveNext();
                var isNull = scalar.Style == ScalarStyle.Plain && CoreSchema.Resolve(scalar.Value) == ScalarKind.Null
                    && !(scalar.Tag.IsEmpty is false && scalar.Tag.Value == "tag:yaml.org,2002:str");
                node = new ScalarNode(isNull ? null : scalar.Value, location, scalar.Style != ScalarStyle.Plain);
                node.Tag = CustomTag(scalar.Tag);
                if (!scalar.Tag.IsEmpty && scalar.Tag.Value == "tag:yaml.org,2002:str")
                {
                    ((ScalarNode)node).Quoted = true;
                }
                anchor = scalar.Anchor.IsEmpty ? "" : scalar.Anchor.Value;
                break;
            case SequenceStart start:
                parser.MoveNext();
                var sequence = new SequenceNode(location) { Tag = CustomTag(start.Tag) };
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    sequence.Items.Add(ReadNode(parser, file, anchors, diagnostics, depth + 1, budget));
                }
                node = sequence;
                anchor = start.Anchor.IsEmpty ? "" : start.Anchor.Value;
                break;
            case MappingStart start:
                parser.MoveNext();
                node = ReadMapping(parser, file, location, anchors, diagnostics, depth, budget);
                node.Tag = CustomTag(start.Tag);
                anchor = start.Anchor.IsEmpty ? "" : start.Anchor.Value;
                break;
            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }
        if (anchor.Length > 0)
        {
            anchors[anchor] = node;
        }
        return node;
    }

    private static int CountNodes(YamlNode node) => node switch
    {
        MappingNode m => 1 + m.Entries.Sum(e => 1 + CountNodes(e.Value)),
        SequenceNode s => 1 + s.Items.Sum(CountNodes),
        _ => 1,
    };

    private static MappingNode ReadMapping(IParser parser, string file, SourceLocation location, Dictionary<string, YamlNode> anchors, DiagnosticBag diagnostics, int depth, int[] budget)
    {
        var mapping = new MappingNode(location);
        var mergeSources = new List<MappingNode>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, file, anchors, diagnostics, depth + 1, budget);
            var value = ReadNode(parser, file, anchors, diagnostics, depth + 1, budget);
            if (keyNode is not ScalarNode key)
            {
                diagnostics.Error(keyNode, "", "a mapping key must be a plain name, not " + keyNode.Describe());
                continue;
            }
            key.Value ??= "null";
            if (key.Value == "<<" && !key.Quoted)
            {
                CollectMergeSources(value, mergeSources, diagnostics);
                continue;
            }
            if (mapping.ContainsKey(key.Value))
            {
                var first = mapping.KeyNode(key.Value)!.Location;
                diagnostics.Error(key, "", $"the key '{key.Value}' is defined twice in the same mapping (first at line {first.Line})",
                    "keep one of them: YAML does not merge repeated keys");
                continue;
            }
            mapping.Add(key, value);
        }
        // Keys written in the mapping win over merged ones; among merged mappings, the first wins.
        foreach (var source in mergeSources)
        {
            foreach (var (k, v) in source.Entries)
            {
                if (!mapping.ContainsKey(k.Value!))
                {
                    mapping.Add((ScalarNode)k.DeepClone(), v.DeepClone());
                }
            }
        }
        return mapping;
    }

    private static void CollectMergeSources(YamlNode value, List<MappingNode> into, DiagnosticBag diagnostics)
    {
        switch (value)
        {
            case MappingNode m:
                into.Add(m);
                break;
            case SequenceNode s:
                foreach (var item in s.Items)
                {
                    if (item is MappingNode im)
                    {
                        into.Add(im);
                    }
                    else
                    {
                        diagnostics.Error(item, "", "a '<<' merge key takes a mapping or a list of mappings, not " + item.Describe(),
                            "write '<<: *anchor' where the anchor names a mapping");
                    }
                }
                break;
            default:
                diagnostics.Error(value, "", "a '<<' merge key takes a mapping or a list of mappings, not " + value.Describe(),
                    "write '<<: *anchor' where the anchor names a mapping");
                break;
        }
    }

    private static string? CustomTag(TagName tag) => tag.IsEmpty || tag.IsNonSpecific || tag.Value.StartsWith("tag:yaml.org", StringComparison.Ordinal) ? null : tag.Value;

    private static void ReportSyntaxError(string text, string file, YamlException e, DiagnosticBag diagnostics)
    {
        var lines = text.Split('\n');
        var errorLine = (int)e.Start.Line;

        // The commonest cause in compose files is `key:value` with no space: YAML reads it as one
        // text, and the parser only stumbles a line or more later. Point at that line instead.
        for (var i = Math.Max(0, errorLine - 4); i < Math.Min(errorLine + 1, lines.Length); i++)
        {
            var match = MissingSpaceAfterColon().Match(lines[i]);
            if (match.Success && i < errorLine)
            {
                var key = match.Groups["key"].Value;
                var rest = match.Groups["rest"].Value.TrimEnd('\r');
                diagnostics.Error(new SourceLocation(file, i + 1, match.Groups["key"].Index + 1), "",
                    $"'{key}:{rest}' is not a key and a value: YAML needs a space after the colon, so this line is read as the text '{key}:{rest}'",
                    $"write '{key}: {rest}'");
                return;
            }
            var tab = lines[i].TakeWhile(c => c is ' ' or '\t').Any(c => c == '\t');
            if (tab)
            {
                diagnostics.Error(new SourceLocation(file, i + 1, 1), "", "this line is indented with a tab; YAML allows only spaces for indentation",
                    "replace the tabs at the start of the line with spaces");
                return;
            }
        }
        if (errorLine <= 1)
        {
            // The parser sometimes points at the start of the file; a tab anywhere is then the likeliest cause.
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TakeWhile(c => c is ' ' or '\t').Any(c => c == '\t'))
                {
                    diagnostics.Error(new SourceLocation(file, i + 1, 1), "", "this line is indented with a tab; YAML allows only spaces for indentation",
                        "replace the tabs at the start of the line with spaces");
                    return;
                }
            }
        }
        var message = e.Message;
        var paren = message.IndexOf(") - ", StringComparison.Ordinal);
        if (message.StartsWith('(') && paren > 0)
        {
            message = message[(paren + 4)..];
        }
        var at = new SourceLocation(file, errorLine, (int)e.Start.Column);
        if (MisalignedSibling(lines, errorLine) is { } sibling)
        {
            var (line, column, key) = sibling;
            var here = lines[errorLine - 1];
            var indent = here.Length - here.TrimStart(' ').Length;
            diagnostics.Error(at with { Column = indent + 1 }, "",
                $"'{here.Trim().TrimEnd(':')}' starts in column {indent + 1}, but '{key}' on line {line}, an entry of the same mapping, starts in column {column}",
                $"indent both by the same number of spaces");
            return;
        }
        diagnostics.Error(at, "", "invalid YAML: " + message.TrimEnd('.'),
            message.Contains("alias", StringComparison.OrdinalIgnoreCase) || message.Contains("anchor", StringComparison.OrdinalIgnoreCase)
                ? "define the anchor (&name) before the alias (*name) that uses it"
                : message.Contains("aliasing", StringComparison.Ordinal) || message.Contains("levels deep", StringComparison.Ordinal)
                    ? "simplify the document"
                    : "check the indentation of this line and the one before it: entries of one mapping must start in the same column");
    }

    /// <summary>
    /// For a line that the parser could not place, the nearest key above it that is indented less
    /// and is not its parent (its parent ends with ':' and nothing after): the sibling it should align with.
    /// </summary>
    private static (int Line, int Column, string Key)? MisalignedSibling(string[] lines, int errorLine)
    {
        if (errorLine < 2 || errorLine > lines.Length)
        {
            return null;
        }
        var here = lines[errorLine - 1];
        var indent = here.Length - here.TrimStart(' ').Length;
        var deeperSeen = false;
        for (var i = errorLine - 2; i >= 0; i--)
        {
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.TrimStart(' ');
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }
            var lineIndent = line.Length - trimmed.Length;
            if (lineIndent > indent)
            {
                deeperSeen = true;
                continue;
            }
            // Only a sibling whose own block lies between it and this line explains the error.
            if (lineIndent < indent && deeperSeen && Math.Abs(lineIndent - indent) <= 2 && trimmed.Contains(':'))
            {
                return (i + 1, lineIndent + 1, trimmed[..trimmed.IndexOf(':')]);
            }
            return null;
        }
        return null;
    }

    // A line that is only `key:value` (a name, a colon, no space, a value), outside a list item.
    [GeneratedRegex(@"^\s*(?<key>[A-Za-z_][A-Za-z0-9_.\-]*):(?<rest>[^\s:/][^#]*?)\s*$")]
    private static partial Regex MissingSpaceAfterColon();
}
