using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Messaging.Http;

/// <summary>
/// The fields of a JSON object in a request, read one by one with their expected types, so that a wrong one
/// is named with its path (<c>properties.delivery_mode</c>) and what it should be. A field the call does not
/// know is an error too (a misspelt <c>durabel</c> would otherwise be dropped without a word), which
/// <see cref="EnsureNoOthers"/> reports once the handler has read what it knows.
/// </summary>
internal sealed class JsonFields
{
    private readonly JsonElement _object;
    private readonly string _path;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private JsonFields(JsonElement element, string path)
    {
        _object = element;
        _path = path;
    }

    /// <summary>The request's body as an object; an empty body is an empty object when <paramref name="optional"/>.</summary>
    public static async Task<JsonFields> ReadAsync(HttpRequest request, bool optional, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length == 0)
        {
            return optional ? Empty : throw new InvalidBodyException("body", "this call needs a JSON object as its body (Content-Type: application/json)");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw new InvalidBodyException("body", $"the body is not valid JSON{where}: {FirstSentence(e.Message)}");
        }
        return From(document.RootElement.Clone(), "");
    }

    public static JsonFields Empty { get; } = new(JsonDocument.Parse("{}").RootElement.Clone(), "");

    public static JsonFields From(JsonElement element, string path) => element.ValueKind == JsonValueKind.Object
        ? new JsonFields(element, path)
        : throw new InvalidBodyException(path.Length == 0 ? "body" : path, $"{Name(path)} must be a JSON object, not {Describe(element)}");

    public string PathOf(string name) => _path.Length == 0 ? name : $"{_path}.{name}";

    /// <summary>The field's value; null when it is absent or JSON null.</summary>
    public JsonElement? Get(string name)
    {
        _known.Add(name);
        return _object.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    public bool Has(string name)
    {
        _known.Add(name);
        return _object.TryGetProperty(name, out _);
    }

    public string? String(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        var value => throw Wrong(name, "a string", value.Value),
    };

    public bool? Bool(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        var value => throw Wrong(name, "true or false", value.Value),
    };

    public long? Integer(string name, long min, long max)
    {
        if (Get(name) is not { } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw Wrong(name, $"a whole number from {min} to {max}", value);
        }
        return number >= min && number <= max ? number
            : throw new InvalidBodyException(PathOf(name), $"{PathOf(name)} is {number}; it must be from {min} to {max}");
    }

    public JsonFields? Object(string name) => Get(name) is { } value ? From(value, PathOf(name)) : null;

    public IEnumerable<(string Name, JsonElement Value)> Properties() => _object.EnumerateObject().Select(p => (p.Name, p.Value));

    /// <summary>Refuses a field the handler did not ask for, naming the ones it takes.</summary>
    public void EnsureNoOthers()
    {
        foreach (var property in _object.EnumerateObject())
        {
            if (!_known.Contains(property.Name))
            {
                throw new InvalidBodyException(PathOf(property.Name),
                    $"{PathOf(property.Name)} is not a field of this call; {(_path.Length == 0 ? "the body" : _path)} takes {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
            }
        }
    }

    public InvalidBodyException Wrong(string name, string expected, JsonElement value) =>
        new(PathOf(name), $"{PathOf(name)} must be {expected}, not {Describe(value)}");

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string {JsonSerializer.Serialize(Shorten(value.GetString()!))}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length > 40 ? text[..39] + "…" : text;

    private static string Name(string path) => path.Length == 0 ? "the body" : path;

    // System.Text.Json appends " Path: $ | LineNumber: 0 | BytePositionInLine: 5." which the message already says better.
    // System.Text.Json ends its messages with its own zero-based position (" Path: …", " LineNumber: …"): the
    // one-based line and byte are given before it instead.
    private static string FirstSentence(string message)
    {
        foreach (var tail in (ReadOnlySpan<string>)[" Path:", " LineNumber:"])
        {
            if (message.IndexOf(tail, StringComparison.Ordinal) is var cut and > 0)
            {
                message = message[..cut];
            }
        }
        return message;
    }
}
