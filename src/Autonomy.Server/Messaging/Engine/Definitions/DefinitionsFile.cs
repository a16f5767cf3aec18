using System.Text.Json;
using Autonomy.Server.Messaging.Model;
using Autonomy.Server.Secrets;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// definitions.json: replaced whole and atomically (a temporary file fsynced, renamed over it, the folder fsynced),
/// so that after a crash it is the old one or the new one, never a mix. Arguments are written as JSON values;
/// the few AMQP types JSON has no form for are objects with one "$" key (binary, timestamp, decimal), so that every
/// argument reads back as the type it was declared with, integers as long.
/// </summary>
internal static class DefinitionsFile
{
    public const string FileName = "definitions.json";

    public static Definitions Load(string path)
    {
        if (!File.Exists(path))
        {
            return Definitions.Empty;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var vhosts = new List<VhostDefinition>();
            foreach (var vhost in root.GetProperty("vhosts").EnumerateArray())
            {
                vhosts.Add(new VhostDefinition(
                    vhost.GetProperty("name").GetString()!,
                    [.. vhost.GetProperty("exchanges").EnumerateArray().Select(e => new ExchangeDefinition(
                        e.GetProperty("name").GetString()!,
                        ExchangeKinds.Parse(e.GetProperty("type").GetString()),
                        e.GetProperty("auto_delete").GetBoolean(),
                        e.GetProperty("internal").GetBoolean(),
                        ReadTable(e.GetProperty("arguments"))))],
                    [.. vhost.GetProperty("queues").EnumerateArray().Select(q => new QueueDefinition(
                        q.GetProperty("name").GetString()!,
                        q.GetProperty("auto_delete").GetBoolean(),
                        ReadTable(q.GetProperty("arguments"))))],
                    [.. vhost.GetProperty("bindings").EnumerateArray().Select(b => new BindingDefinition(
                        b.GetProperty("source").GetString()!,
                        b.GetProperty("destination").GetString()!,
                        b.GetProperty("destination_type").GetString() == "queue",
                        b.GetProperty("routing_key").GetString()!,
                        ReadTable(b.GetProperty("arguments"))))]));
            }
            return new Definitions(vhosts);
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or BrokerException)
        {
            throw new InvalidDataException(
                $"{path} is not a broker definitions file the broker can read ({error.Message}); restore it from a backup, or move it away to start with no exchanges, queues or bindings (their messages are then dropped)",
                error);
        }
    }

    public static void Save(string path, Definitions definitions)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteStartArray("vhosts");
            foreach (var vhost in definitions.Vhosts)
            {
                json.WriteStartObject();
                json.WriteString("name", vhost.Name);
                json.WriteStartArray("exchanges");
                foreach (var exchange in vhost.Exchanges)
                {
                    json.WriteStartObject();
                    json.WriteString("name", exchange.Name);
                    json.WriteString("type", ExchangeKinds.Name(exchange.Kind));
                    json.WriteBoolean("auto_delete", exchange.AutoDelete);
                    json.WriteBoolean("internal", exchange.Internal);
                    WriteTable(json, "arguments", exchange.Arguments);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("queues");
                foreach (var queue in vhost.Queues)
                {
                    json.WriteStartObject();
                    json.WriteString("name", queue.Name);
                    json.WriteBoolean("auto_delete", queue.AutoDelete);
                    WriteTable(json, "arguments", queue.Arguments);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("bindings");
                foreach (var binding in vhost.Bindings)
                {
                    json.WriteStartObject();
                    json.WriteString("source", binding.Source);
                    json.WriteString("destination", binding.Destination);
                    json.WriteString("destination_type", binding.DestinationIsQueue ? "queue" : "exchange");
                    json.WriteString("routing_key", binding.RoutingKey);
                    WriteTable(json, "arguments", binding.Arguments);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        DurableFile.Write(path, buffer.ToArray(), DurableFile.OwnerOnly);
    }

    private static void WriteTable(Utf8JsonWriter json, string name, FieldTable table)
    {
        json.WritePropertyName(name);
        WriteValue(json, table);
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case string s: json.WriteStringValue(s); break;
            case float f: json.WriteNumberValue((double)f); break;
            case double d: json.WriteNumberValue(d); break;
            case decimal m:
                json.WriteStartObject();
                json.WriteString("$decimal", m.ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteEndObject();
                break;
            case byte[] bytes:
                json.WriteStartObject();
                json.WriteBase64String("$binary", bytes);
                json.WriteEndObject();
                break;
            case DateTimeOffset time:
                json.WriteStartObject();
                json.WriteNumber("$timestamp", time.ToUnixTimeSeconds());
                json.WriteEndObject();
                break;
            case FieldTable table:
                json.WriteStartObject();
                foreach (var (key, item) in table)
                {
                    json.WritePropertyName(key);
                    WriteValue(json, item);
                }
                json.WriteEndObject();
                break;
            case IReadOnlyList<object?> list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(json, item);
                }
                json.WriteEndArray();
                break;
            default:
                if (FieldValues.TryGetInteger(value, out var integer))
                {
                    json.WriteNumberValue(integer);
                    break;
                }
                throw new ArgumentException($"a {value.GetType().Name} cannot be kept in the broker's definitions");
        }
    }

    private static FieldTable ReadTable(JsonElement element)
    {
        var table = new FieldTable();
        foreach (var property in element.EnumerateObject())
        {
            table[property.Name] = ReadValue(property.Value);
        }
        return table;
    }

    private static object? ReadValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? integer : (object)element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(ReadValue).ToList(),
        JsonValueKind.Object when element.TryGetProperty("$binary", out var binary) => binary.GetBytesFromBase64(),
        JsonValueKind.Object when element.TryGetProperty("$timestamp", out var seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds.GetInt64()),
        JsonValueKind.Object when element.TryGetProperty("$decimal", out var text) =>
            decimal.Parse(text.GetString()!, System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.Object => ReadTable(element),
        _ => throw new FormatException($"an argument value of JSON kind {element.ValueKind}"),
    };
}
