using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Autonomy.Server.Config.Formats;

/// <remarks>
/// Export nests the keys again, indented by two spaces: a node whose children are named 0, 1, 2 … with no gap is an
/// array, any other an object with its names in ordinal order. A <see cref="ConfigEntry.Json"/> value is written as it
/// is and must be one of the values an import produces (a number, <c>true</c>, <c>false</c>, <c>null</c>, <c>{}</c>,
/// <c>[]</c>); any other value is a string, non-ASCII text written as itself. A key that has a value and also
/// children (<c>a</c> and <c>a:b</c>) cannot be JSON and is refused, naming both keys.
/// </remarks>
internal static partial class JsonFormat
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        // Config values are read by people: letters and symbols of any script are written as themselves.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(IReadOnlyList<ConfigEntry> entries)
    {
        var root = KeyTree.Build(entries, "JSON");
        foreach (var entry in entries.Where(e => e.IsJson))
        {
            JsonValues.CheckTyped(entry);
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteObject(writer, root);
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteNode(Utf8JsonWriter writer, KeyTree node)
    {
        if (node.Entry is not { } entry)
        {
            if (node.IsArray)
            {
                writer.WriteStartArray();
                foreach (var (_, child) in node.Children)
                {
                    WriteNode(writer, child);
                }
                writer.WriteEndArray();
            }
            else
            {
                WriteObject(writer, node);
            }
        }
        else if (entry.IsJson)
        {
            writer.WriteRawValue(entry.Value);
        }
        else
        {
            writer.WriteStringValue(entry.Value);
        }
    }

    private static void WriteObject(Utf8JsonWriter writer, KeyTree node)
    {
        writer.WriteStartObject();
        foreach (var (name, child) in node.Children)
        {
            writer.WritePropertyName(name);
            WriteNode(writer, child);
        }
        writer.WriteEndObject();
    }
}
