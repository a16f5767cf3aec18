using System.Text;
using System.Text.Json;

namespace Autonomy.Server.Config.Formats;

/// <summary>
/// JSON as .NET's JSON configuration provider reads it: the top level is an object, nested objects give
/// <c>:</c>-separated keys, and array items their index (<c>servers:0</c>, <c>servers:1</c>).
/// </summary>
/// <remarks>
/// <para>
/// A string is a <see cref="ConfigEntry.PlainText"/> value. A number, <c>true</c>, <c>false</c> and <c>null</c> are
/// <see cref="ConfigEntry.Json"/> values holding their JSON text as written (<c>1.50</c> stays <c>1.50</c>), and so is
/// an empty object or array, as <c>{}</c> or <c>[]</c>. A <c>:</c> inside a property name separates the parts of the key
/// like nesting does, as in .NET's provider: <c>{"a:b": 1}</c> and <c>{"a": {"b": 1}}</c> are the same key
/// <c>a:b</c>, and both in one file are a duplicate.
/// </para>
/// <para>
/// The text is strict JSON: comments, trailing commas, a top level that is not an object and a name repeated in an
/// object are errors. A syntax error ends the reading, so it is the last error reported.
/// </para>
/// </remarks>
internal static partial class JsonFormat
{
    // Deep enough for any configuration; the reader refuses deeper text with a located error.
    private const int MaxDepth = 256;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = MaxDepth,
    };

    public static IReadOnlyList<ConfigEntry> Parse(SourceText source)
    {
        var collector = new EntryCollector();
        if (source.Text.AsSpan().Trim(" \t\r\n").IsEmpty)
        {
            return collector.Build();
        }
        var bytes = Encoding.UTF8.GetBytes(source.Text);
        var positions = new BytePositions(bytes);
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var (line, column) = positions.Of(reader.TokenStartIndex);
                collector.Error(line, column, $"the top level of the file is {Describe(reader.TokenType)}, not an object",
                    "put the keys in an object: { \"key\": \"value\" }");
                return collector.Build();
            }
            ReadObject(ref reader, "", positions, collector);
            // Reading once more finds any text after the object.
            reader.Read();
        }
        catch (JsonException e)
        {
            ReportSyntaxError(e, bytes, positions, collector);
        }
        return collector.Build();
    }

    // Reads the members of the object whose '{' the reader is on, through its '}'; returns how many there were.
    private static int ReadObject(ref Utf8JsonReader reader, string path, BytePositions positions, EntryCollector collector)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var (line, column) = positions.Of(reader.TokenStartIndex);
            var name = ReadString(ref reader, positions, collector);
            var into = collector;
            if (!names.TryAdd(name, line))
            {
                collector.Error(line, column, $"the name \"{name}\" is repeated in this object: on line {names[name]} and on line {line}",
                    "keep one of them: a JSON reader keeps only one");
                // Read past the repeated value without reporting its keys as duplicates once more.
                into = new EntryCollector();
            }
            reader.Read();
            ReadValue(ref reader, path.Length == 0 ? name : $"{path}:{name}", line, column, positions, into);
        }
        return names.Count;
    }

    private static void ReadValue(ref Utf8JsonReader reader, string key, int line, int column, BytePositions positions, EntryCollector collector)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                if (ReadObject(ref reader, key, positions, collector) == 0)
                {
                    collector.Add(key, JsonValues.EmptyObject, ConfigEntry.Json, line, column);
                }
                break;
            case JsonTokenType.StartArray:
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var (itemLine, itemColumn) = positions.Of(reader.TokenStartIndex);
                    ReadValue(ref reader, $"{key}:{index++}", itemLine, itemColumn, positions, collector);
                }
                if (index == 0)
                {
                    collector.Add(key, JsonValues.EmptyArray, ConfigEntry.Json, line, column);
                }
                break;
            case JsonTokenType.String:
                collector.Add(key, ReadString(ref reader, positions, collector), ConfigEntry.PlainText, line, column);
                break;
            default:
                // A number, true, false or null: its text as written, which holds no escapes.
                collector.Add(key, Encoding.UTF8.GetString(reader.ValueSpan), ConfigEntry.Json, line, column);
                break;
        }
    }

    private static string ReadString(ref Utf8JsonReader reader, BytePositions positions, EntryCollector collector)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800"), which no UTF-8 text can hold.
            var (line, column) = positions.Of(reader.TokenStartIndex);
            collector.Error(line, column, "the string holds an unpaired \\u surrogate escape", "escape a character outside the BMP as a pair: \\ud83d\\ude00");
            return "";
        }
    }

    private static void ReportSyntaxError(JsonException e, byte[] bytes, BytePositions positions, EntryCollector collector)
    {
        var offset = positions.OffsetOf((int)(e.LineNumber ?? 0), (int)(e.BytePositionInLine ?? 0));
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }
        string? hint = null;
        if (message.Contains("trailing comma", StringComparison.Ordinal))
        {
            // The reader points at the bracket after the comma; the comma is what to remove.
            offset = Array.LastIndexOf(bytes, (byte)',', Math.Max(0, Math.Min(offset, bytes.Length) - 1));
            message = "a trailing comma: JSON allows no ',' after the last member of an object or array";
            hint = "remove the ','";
        }
        else if (offset < bytes.Length && bytes[offset] == (byte)'/')
        {
            message = "a comment: JSON has no comments";
            hint = "remove the comment, or store the note as a value";
        }
        else if (message.Contains("Expected depth to be zero", StringComparison.Ordinal))
        {
            message = "the text ends inside an object or array";
            hint = "close every '{' with '}' and every '[' with ']'";
        }
        var (line, column) = positions.Of(offset);
        collector.Error(line, column, "invalid JSON: " + message.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).TrimEnd('.'), hint);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "not an object",
    };
}
