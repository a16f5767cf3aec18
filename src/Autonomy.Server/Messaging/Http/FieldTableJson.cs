using System.Text;
using System.Text.Json;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Http;

/// <summary>
/// AMQP field tables in JSON, both ways: a JSON object becomes a table (whole numbers as longs, others as
/// doubles, objects as nested tables, arrays as arrays), and a table is shown as the JSON a person reads
/// (timestamps as Unix seconds, as RabbitMQ's management API shows them; byte strings as text when they are
/// UTF-8, base64 otherwise).
/// </summary>
internal static class FieldTableJson
{
    public static FieldTable Read(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidBodyException(path, $"{path} must be a JSON object of names and values, not {JsonFields.Describe(element)}");
        }
        var table = new FieldTable();
        foreach (var property in element.EnumerateObject())
        {
            table[property.Name] = Value(property.Value, $"{path}.{property.Name}");
        }
        return table;
    }

    private static object? Value(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
        JsonValueKind.Number when value.TryGetDouble(out var real) => real,
        JsonValueKind.Object => Read(value, path),
        JsonValueKind.Array => value.EnumerateArray().Select((item, i) => Value(item, $"{path}[{i}]")).ToList(),
        _ => throw new InvalidBodyException(path, $"{path} is a number out of range"),
    };

    /// <summary>A table as plain values for the JSON serializer, in its order.</summary>
    public static Dictionary<string, object?> Show(FieldTable table)
    {
        var shown = new Dictionary<string, object?>(table.Count, StringComparer.Ordinal);
        foreach (var (key, value) in table)
        {
            shown[key] = Show(value);
        }
        return shown;
    }

    private static object? Show(object? value) => value switch
    {
        FieldTable table => Show(table),
        byte[] bytes => TextOrBase64(bytes),
        DateTimeOffset time => time.ToUnixTimeSeconds(),
        IReadOnlyList<object?> list => list.Select(Show).ToList(),
        float f => (double)f,
        _ => value,
    };

    private static string TextOrBase64(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Convert.ToBase64String(bytes);
        }
    }
}
