using System.Globalization;
using System.Text;
using System.Text.Json;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Http;

/// <summary>
/// A message's AMQP properties and body in the messaging API's JSON: the property names of RabbitMQ's
/// management API (<c>content_type</c>, <c>delivery_mode</c>, <c>headers</c> …), and a payload given as text
/// or as base64 (<c>payload_encoding</c>).
/// </summary>
internal static class MessageJson
{
    // C0 controls but tab, LF and CR, and DEL; C1 controls (U+0080..U+009F) only show up once decoded.
    private static readonly System.Buffers.SearchValues<byte> ControlBytes = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 32).Where(b => b is not ('\t' or '\n' or '\r')).Select(b => (byte)b), (byte)0x7F]);

    private static readonly System.Buffers.SearchValues<char> C1Controls = System.Buffers.SearchValues.Create(
        string.Concat(Enumerable.Range(0x80, 32).Select(c => (char)c)));

    /// <summary>Reads <c>properties</c>; a message is persistent unless it says <c>delivery_mode: 1</c>.</summary>
    public static MessageProperties ReadProperties(JsonFields? fields)
    {
        if (fields is null)
        {
            return new MessageProperties { DeliveryMode = 2 };
        }
        var properties = new MessageProperties
        {
            ContentType = fields.String("content_type"),
            ContentEncoding = fields.String("content_encoding"),
            Headers = fields.Get("headers") is { } headers ? FieldTableJson.Read(headers, fields.PathOf("headers")) : null,
            DeliveryMode = (byte)(fields.Integer("delivery_mode", 1, 2) ?? 2),
            Priority = fields.Integer("priority", 0, 255) is { } priority ? (byte)priority : null,
            CorrelationId = fields.String("correlation_id"),
            ReplyTo = fields.String("reply_to"),
            Expiration = Expiration(fields),
            MessageId = fields.String("message_id"),
            Timestamp = fields.Integer("timestamp", 0, 253402300799) is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null,
            Type = fields.String("type"),
            UserId = fields.String("user_id"),
            AppId = fields.String("app_id"),
            ClusterId = fields.String("cluster_id"),
        };
        fields.EnsureNoOthers();
        return properties;
    }

    // AMQP carries it as text; a number is what most people write.
    private static string? Expiration(JsonFields fields) => fields.Get("expiration") switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var ms) && ms >= 0 => ms.ToString(CultureInfo.InvariantCulture),
        { ValueKind: JsonValueKind.String } s when long.TryParse(s.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out _) => s.GetString(),
        var other => throw fields.Wrong("expiration", "a whole number of milliseconds (0 or more)", other.Value),
    };

    /// <summary>The body from <c>payload</c> and <c>payload_encoding</c> (string, the default, or base64).</summary>
    public static byte[] ReadPayload(JsonFields fields)
    {
        var encoding = fields.String("payload_encoding") ?? "string";
        if (!fields.Has("payload"))
        {
            throw new InvalidBodyException("payload", "payload is missing: give the message's body as a string (\"payload\": \"...\"), or base64 with \"payload_encoding\": \"base64\"");
        }
        var payload = fields.String("payload") ?? "";
        return encoding switch
        {
            "string" => Encoding.UTF8.GetBytes(payload),
            "base64" => Base64(payload),
            _ => throw new InvalidBodyException("payload_encoding", $"payload_encoding is '{encoding}'; it is string or base64"),
        };
    }

    private static byte[] Base64(string payload)
    {
        try
        {
            return Convert.FromBase64String(payload);
        }
        catch (FormatException)
        {
            throw new InvalidBodyException("payload", "payload is not base64 (payload_encoding is base64): encode the body with standard base64, or drop payload_encoding to send text");
        }
    }

    /// <summary>The properties that are set, by their JSON names.</summary>
    public static Dictionary<string, object?> Show(MessageProperties p)
    {
        var shown = new Dictionary<string, object?>(StringComparer.Ordinal);
        Add("content_type", p.ContentType);
        Add("content_encoding", p.ContentEncoding);
        Add("headers", p.Headers is { } headers ? FieldTableJson.Show(headers) : null);
        Add("delivery_mode", p.DeliveryMode);
        Add("priority", p.Priority);
        Add("correlation_id", p.CorrelationId);
        Add("reply_to", p.ReplyTo);
        Add("expiration", p.Expiration);
        Add("message_id", p.MessageId);
        Add("timestamp", p.Timestamp?.ToUnixTimeSeconds());
        Add("type", p.Type);
        Add("user_id", p.UserId);
        Add("app_id", p.AppId);
        Add("cluster_id", p.ClusterId);
        return shown;

        void Add(string name, object? value)
        {
            if (value is not null)
            {
                shown[name] = value;
            }
        }
    }

    /// <summary>
    /// The body as the API shows it: as text when it is UTF-8 without control characters (other than
    /// tabs and line ends) and <paramref name="encoding"/> is auto, otherwise base64.
    /// </summary>
    public static (string Payload, string Encoding) ShowPayload(ReadOnlySpan<byte> body, string encoding)
    {
        // Text is shown as text: valid UTF-8 without control characters other than tab and line ends (checked
        // without decoding first or throwing, since every message a consumer receives goes through here).
        if (encoding == "auto" && System.Text.Unicode.Utf8.IsValid(body) && body.IndexOfAny(ControlBytes) < 0)
        {
            var text = Encoding.UTF8.GetString(body);
            if (!text.AsSpan().ContainsAny(C1Controls))
            {
                return (text, "string");
            }
        }
        return (Convert.ToBase64String(body), "base64");
    }
}
