using System.Text.Json;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Compose.Yaml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Autonomy.Server.Compose.Output;

/// <summary>Prints a resolved project as <c>docker compose config</c> does: YAML, or JSON with <c>--format json</c>.</summary>
public static class ComposeWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] SectionOrder = ["name", "services", "networks", "volumes", "configs", "secrets"];

    public static string ToJson(ComposeProject project) => NodeJson.Object(Ordered(project.Root)).ToJsonString(Indented);

    public static string ToYaml(ComposeProject project)
    {
        var text = new StringWriter();
        var emitter = new Emitter(text, 2);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Emit(emitter, Ordered(project.Root));
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>
    /// The order docker compose prints: sections in the spec's order, services by name, each
    /// service's attributes alphabetically; what is inside an attribute keeps the order written.
    /// </summary>
    private static MappingNode Ordered(MappingNode root)
    {
        var result = new MappingNode(root.Location);
        foreach (var (key, value) in root.Entries.OrderBy(e => Array.IndexOf(SectionOrder, e.Key.Value) is var i and >= 0 ? i : SectionOrder.Length))
        {
            if (key.Value == "services" && value is MappingNode services)
            {
                var sorted = new MappingNode(services.Location);
                foreach (var (name, service) in services.Entries.OrderBy(e => e.Key.Value, StringComparer.Ordinal))
                {
                    var attributes = new MappingNode(service.Location);
                    foreach (var (k, v) in ((MappingNode)service).Entries.OrderBy(e => e.Key.Value, StringComparer.Ordinal))
                    {
                        attributes.Add(k, v);
                    }
                    sorted.Add(name, attributes);
                }
                result.Add(key, sorted);
            }
            else
            {
                result.Add(key, value);
            }
        }
        return result;
    }

    private static void Emit(IEmitter emitter, YamlNode node)
    {
        switch (node)
        {
            case MappingNode m:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (var (k, v) in m.Entries)
                {
                    EmitScalar(emitter, k.Value!, forceText: true);
                    Emit(emitter, v);
                }
                emitter.Emit(new MappingEnd());
                break;
            case SequenceNode s:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, SequenceStyle.Block));
                foreach (var item in s.Items)
                {
                    Emit(emitter, item);
                }
                emitter.Emit(new SequenceEnd());
                break;
            case ScalarNode scalar:
                if (scalar.Kind == ScalarKind.Null)
                {
                    emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                }
                else
                {
                    EmitScalar(emitter, scalar.Value!, forceText: scalar.Kind == ScalarKind.String);
                }
                break;
        }
    }

    private static void EmitScalar(IEmitter emitter, string value, bool forceText)
    {
        // Text that a reader would take for a number, a boolean or null is quoted, so it stays text.
        // So is text whose spaces or control characters a plain or block scalar would lose (a tab, a \r, a trailing space).
        var style = (forceText && (value.Length == 0 || CoreSchema.Resolve(value) != ScalarKind.String || NeedsQuotes(value)))
            || value.Any(c => char.IsControl(c) && c != '\n') || value != value.Trim(' ')
            ? ScalarStyle.DoubleQuoted
            : value.Contains('\n') ? ScalarStyle.Literal : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, value, style, isPlainImplicit: true, isQuotedImplicit: true));
    }

    private static bool NeedsQuotes(string value) =>
        value is "yes" or "no" or "on" or "off" or "y" or "n" or "Yes" or "No" or "On" or "Off" or "YES" or "NO" or "ON" or "OFF"
        || value.Contains('$') && value.Contains('{');
}
