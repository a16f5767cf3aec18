using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Autonomy.Server.Config.Formats;

/// <summary>
/// YAML read by the YAML 1.2 core schema: the top level is a mapping, nested mappings give <c>:</c>-separated keys and
/// sequence items their index, as in JSON.
/// </summary>
/// <remarks>
/// <para>
/// A plain (unquoted) scalar that the core schema reads as an integer, a float, <c>true</c>/<c>false</c> (in any of
/// its three spellings) or null (<c>null</c>, <c>~</c>, nothing) is a <see cref="ConfigEntry.Json"/> value holding its
/// JSON text: as written when that is JSON (<c>8080</c>, <c>1.5e3</c>), else converted (<c>True</c> is <c>true</c>,
/// <c>~</c> <c>null</c>, <c>0x1F</c> <c>31</c>, <c>+1.</c> <c>1.0</c>). <c>.inf</c> and <c>.nan</c>, which JSON cannot
/// hold, stay text. Every other scalar, and every quoted or block scalar, is <see cref="ConfigEntry.PlainText"/>
/// (so is one tagged <c>!!str</c> or <c>!</c>); an empty mapping or sequence is <c>{}</c> or <c>[]</c>. A key is
/// its scalar's text, whatever it would resolve to; a <c>:</c> inside it separates parts of the key.
/// </para>
/// <para>
/// Anchors and aliases are resolved: an alias stands for a copy of its anchored node. Merge keys (<c>&lt;&lt;</c>,
/// a YAML 1.1 type), tags other than <c>!!str</c>, <c>!</c>, <c>!!map</c> and <c>!!seq</c>, keys that are not
/// scalars, a key repeated in a mapping and a second document are errors. An empty document, or one that is only
/// <c>null</c>, is zero entries; any other top level that is not a mapping is an error.
/// </para>
/// </remarks>
internal static partial class YamlFormat
{
    // Every pass recurses over the nodes; no configuration nests this deep.
    private const int MaxDepth = 256;

    // Aliases multiply nodes: this bounds what a few lines of them may expand into.
    private const int MaxEntries = 1_000_000;

    private const string StringTag = "tag:yaml.org,2002:str";

    public static IReadOnlyList<ConfigEntry> Parse(SourceText source)
    {
        var collector = new EntryCollector();
        var parser = new Parser(new StringReader(source.Text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return collector.Build();
            }
            parser.Consume<DocumentStart>();
            var root = new Reader(parser, collector).Read(0);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                Error(collector, parser.Current!.Start, "the file holds a second YAML document (a '---' line starts one)",
                    "a config file is one document: remove the '---' line and what follows it, or merge the documents");
            }
            FlattenRoot(root, collector);
        }
        catch (YamlException e)
        {
            Error(collector, e.Start, "invalid YAML: " + CleanMessage(e.Message));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // YamlDotNet throws these, with no position and a message of its own state, for some malformed texts (an
            // unclosed '[' running into the next line): the last node it read is the nearest place known.
            Error(collector, parser.Current?.Start ?? Mark.Empty, "invalid YAML: the text cannot be read past this point",
                "look for an unclosed '[', '{' or quote here or just after");
        }
        return collector.Build();
    }

    private static void FlattenRoot(Node root, EntryCollector collector)
    {
        switch (root)
        {
            case MappingNode mapping:
                var budget = new[] { MaxEntries };
                foreach (var (key, at, value) in mapping.Entries)
                {
                    Flatten(value, key, at, collector, budget);
                }
                break;
            case ScalarNode { Plain: true } scalar when YamlScalars.IsNull(scalar.Value):
                break;
            default:
                Error(collector, root.Start, $"the top level of the file is {root.Describe()}, not a mapping",
                    "write the keys as key: value lines");
                break;
        }
    }

    private static void Flatten(Node node, string key, Mark at, EntryCollector collector, int[] budget)
    {
        if (budget[0]-- <= 0)
        {
            if (budget[0] == -1)
            {
                Error(collector, at, $"the file expands into more than {MaxEntries} keys (through its aliases)", "write fewer aliases of large nodes");
            }
            return;
        }
        var (line, column) = Position(at);
        switch (node)
        {
            case MappingNode { Entries.Count: 0 }:
                collector.Add(key, JsonValues.EmptyObject, ConfigEntry.Json, line, column);
                break;
            case MappingNode mapping:
                foreach (var (name, nameAt, child) in mapping.Entries)
                {
                    Flatten(child, $"{key}:{name}", nameAt, collector, budget);
                }
                break;
            case SequenceNode { Items.Count: 0 }:
                collector.Add(key, JsonValues.EmptyArray, ConfigEntry.Json, line, column);
                break;
            case SequenceNode sequence:
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    Flatten(sequence.Items[i].Node, $"{key}:{i}", sequence.Items[i].At, collector, budget);
                }
                break;
            case ScalarNode scalar:
                var (value, contentType) = scalar.Plain ? YamlScalars.Resolve(scalar.Value) : (scalar.Value, ConfigEntry.PlainText);
                collector.Add(key, value, contentType, line, column);
                break;
        }
    }

    private static void Error(EntryCollector collector, Mark at, string message, string? hint = null)
    {
        var (line, column) = Position(at);
        collector.Error(line, column, message, hint);
    }

    // YamlDotNet's marks are 1-based; Mark.Empty, for an error with no place, is put at the start.
    private static (int Line, int Column) Position(Mark at) => ((int)Math.Max(1, at.Line), (int)Math.Max(1, at.Column));

    private static string CleanMessage(string message)
    {
        // Some messages start with "(Line: 1, Col: 2, Idx: 1) - (Line: …): ", which the error's position says already.
        var paren = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && paren > 0)
        {
            message = message[(paren + 3)..];
        }
        return message.TrimEnd('.');
    }

    /// <summary>Reads the events of one node into a tree, resolving aliases and reporting what the import refuses.</summary>
    private sealed class Reader(IParser parser, EntryCollector collector)
    {
        private readonly Dictionary<string, Node> _anchors = new(StringComparer.Ordinal);

        public Node Read(int depth)
        {
            var current = parser.Current ?? throw new YamlException("unexpected end of the YAML text");
            if (depth > MaxDepth)
            {
                throw new YamlException(current.Start, current.End, $"the document nests more than {MaxDepth} levels deep");
            }
            parser.MoveNext();
            Node node;
            switch (current)
            {
                case AnchorAlias alias:
                    if (_anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        return target;
                    }
                    Error(collector, alias.Start, $"the alias *{alias.Value.Value} names no anchor defined before it",
                        $"define the anchor &{alias.Value.Value} on a node above the alias");
                    return new ScalarNode(current.Start, "", Plain: false);
                case Scalar scalar:
                    // A plain scalar with no tag is read by the core schema; a tag (! or !!str, the others are refused) makes it text.
                    CheckTag(scalar.Tag, scalar.Start, StringTag);
                    node = new ScalarNode(scalar.Start, scalar.Value, scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty);
                    break;
                case SequenceStart start:
                    CheckTag(start.Tag, start.Start, "tag:yaml.org,2002:seq");
                    var sequence = new SequenceNode(start.Start, []);
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        var at = parser.Current!.Start;
                        sequence.Items.Add((Read(depth + 1), at));
                    }
                    node = sequence;
                    break;
                case MappingStart start:
                    CheckTag(start.Tag, start.Start, "tag:yaml.org,2002:map");
                    node = ReadMapping(start, depth);
                    break;
                default:
                    throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
            }
            var anchor = ((NodeEvent)current).Anchor;
            if (!anchor.IsEmpty)
            {
                _anchors[anchor.Value] = node;
            }
            return node;
        }

        private MappingNode ReadMapping(MappingStart start, int depth)
        {
            var mapping = new MappingNode(start.Start, []);
            var lines = new Dictionary<string, long>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var at = parser.Current!.Start;
                var key = Read(depth + 1);
                var value = Read(depth + 1);
                if (key is not ScalarNode { Value: var name } scalar)
                {
                    Error(collector, at, $"a key must be a scalar (a name), not {key.Describe()}");
                    continue;
                }
                if (scalar.Plain && name == "<<")
                {
                    Error(collector, at, "merge keys ('<<') are not supported: they are a YAML 1.1 type, not part of YAML 1.2",
                        "write the merged keys out, or quote '<<' to use it as a key");
                    continue;
                }
                if (!lines.TryAdd(name, at.Line))
                {
                    Error(collector, at, $"the key '{name}' is repeated in this mapping: on line {lines[name]} and on line {at.Line}",
                        "keep one of them: a YAML reader keeps only one");
                    continue;
                }
                mapping.Entries.Add((name, at, value));
            }
            return mapping;
        }

        // Reports a tag other than the one that says what the node is anyway.
        private void CheckTag(TagName tag, Mark at, string allowed)
        {
            if (!tag.IsEmpty && !tag.IsNonSpecific && tag.Value != allowed)
            {
                Error(collector, at, $"the tag '{tag.Value}' is not supported",
                    "remove the tag: a plain scalar is read by the YAML 1.2 core schema, and a quoted one is text");
            }
        }
    }

    private abstract record Node(Mark Start)
    {
        public abstract string Describe();
    }

    private sealed record ScalarNode(Mark Start, string Value, bool Plain) : Node(Start)
    {
        public override string Describe() => "a scalar";
    }

    private sealed record MappingNode(Mark Start, List<(string Key, Mark At, Node Value)> Entries) : Node(Start)
    {
        public override string Describe() => "a mapping";
    }

    private sealed record SequenceNode(Mark Start, List<(Node Node, Mark At)> Items) : Node(Start)
    {
        public override string Describe() => "a sequence";
    }
}
