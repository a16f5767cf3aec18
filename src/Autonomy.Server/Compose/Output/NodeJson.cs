using System.Globalization;
using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Output;

/// <summary>A resolved tree as JSON values: numbers, booleans and null where the model types them so, text otherwise.</summary>
internal static class NodeJson
{
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        ScalarNode s => Scalar(s),
        SequenceNode q => new JsonArray([.. q.Items.Select(ToJson)]),
        MappingNode m => Object(m),
        _ => null,
    };

    public static JsonObject Object(MappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (k, v) in mapping.Entries)
        {
            result[k.Value!] = ToJson(v);
        }
        return result;
    }

    private static JsonNode? Scalar(ScalarNode s)
    {
        var text = s.Value;
        switch (s.Kind)
        {
            case ScalarKind.Null:
                return null;
            case ScalarKind.Boolean:
                return JsonValue.Create(CoreSchema.TryParseBoolean(text!, out var b) && b);
            case ScalarKind.Integer when CoreSchema.TryParseInteger(text!, out var i):
                return JsonValue.Create(i);
            case ScalarKind.Float when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d):
                return JsonValue.Create(d);
            default:
                return JsonValue.Create(text);
        }
    }
}
