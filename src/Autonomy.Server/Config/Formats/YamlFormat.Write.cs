using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Autonomy.Server.Config.Formats;

/// <remarks>
/// <para>
/// Export nests the keys as JSON export does (arrays for children named 0, 1, 2 …), as block mappings and sequences
/// indented by two spaces. A <see cref="ConfigEntry.Json"/> value is written plain (<c>8080</c>, <c>true</c>,
/// <c>null</c>, <c>{}</c>, <c>[]</c>) and must be one of those. Text is written plain when the core schema reads the
/// plain scalar back as the same text; otherwise quoted (<c>'true'</c>, <c>'8080'</c>, <c>''</c>, <c>' x'</c>,
/// <c>'a: b'</c>, <c>'#x'</c>), as a literal block (<c>|</c>) when it spans lines, and double-quoted with escapes when
/// it holds characters a block or single quotes cannot carry exactly (control characters, tabs, <c>\r</c>, line
/// separators, or a line with trailing spaces, which editors strip).
/// </para>
/// </remarks>
internal static partial class YamlFormat
{
    private static readonly EmitterSettings Settings = new(
        bestIndent: 2,
        // Long text stays on one line rather than being folded where a reader might misjudge the folding.
        bestWidth: int.MaxValue,
        isCanonical: false,
        maxSimpleKeyLength: 1024,
        skipAnchorName: false,
        indentSequences: true,
        newLine: "\n",
        useUtf16SurrogatePairs: false);

    public static string Write(IReadOnlyList<ConfigEntry> entries)
    {
        var root = KeyTree.Build(entries, "YAML");
        foreach (var entry in entries.Where(e => e.IsJson))
        {
            JsonValues.CheckTyped(entry);
        }
        var text = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(text, Settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        if (root.Children.Any())
        {
            WriteNode(emitter, root);
        }
        else
        {
            emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Flow));
            emitter.Emit(new MappingEnd());
        }
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void WriteNode(IEmitter emitter, KeyTree node)
    {
        if (node.Entry is { } entry)
        {
            WriteValue(emitter, entry);
        }
        else if (node.IsArray)
        {
            emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Block));
            foreach (var (_, child) in node.Children)
            {
                WriteNode(emitter, child);
            }
            emitter.Emit(new SequenceEnd());
        }
        else
        {
            emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Block));
            foreach (var (name, child) in node.Children)
            {
                emitter.Emit(Text(name));
                WriteNode(emitter, child);
            }
            emitter.Emit(new MappingEnd());
        }
    }

    private static void WriteValue(IEmitter emitter, ConfigEntry entry)
    {
        switch (entry)
        {
            case { IsJson: true, Value: JsonValues.EmptyObject }:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Flow));
                emitter.Emit(new MappingEnd());
                break;
            case { IsJson: true, Value: JsonValues.EmptyArray }:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Flow));
                emitter.Emit(new SequenceEnd());
                break;
            case { IsJson: true }:
                // A JSON number, true, false or null: the core schema reads each plain scalar back as the same.
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, entry.Value, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            default:
                emitter.Emit(Text(entry.Value));
                break;
        }
    }

    // A scalar that reads back as exactly this text. Without plain-implicit the emitter quotes; with it, the emitter
    // writes plain whenever the syntax allows, and quotes otherwise.
    private static Scalar Text(string text)
    {
        var style = text.Any(NeedsEscape) ? ScalarStyle.DoubleQuoted
            : text.Contains('\n') ? (FitsLiteralBlock(text) ? ScalarStyle.Literal : ScalarStyle.DoubleQuoted)
            : ScalarStyle.Any;
        var plainImplicit = style == ScalarStyle.Any && !YamlScalars.IsTyped(text);
        return new Scalar(AnchorName.Empty, TagName.Empty, text, style, plainImplicit, isQuotedImplicit: true);
    }

    // Characters that only the escapes of a double-quoted scalar carry exactly: a reader normalises or strips them in
    // blocks and single quotes (a '\r' becomes a line break, a tab at a line's start is indentation).
    private static bool NeedsEscape(char c) =>
        (char.IsControl(c) && c != '\n') || c is '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF';

    // A literal block keeps every line as written, but a line with trailing spaces would not survive an editor, and a
    // text of line breaks alone has no content line to set the block's indentation.
    private static bool FitsLiteralBlock(string text) =>
        text.Any(c => c != '\n') && !text.Split('\n').Any(line => line.EndsWith(' '));
}
