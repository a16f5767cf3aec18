namespace Autonomy.Server.Compose.Yaml;

/// <summary>A YAML scalar. <see cref="Value"/> is null for YAML null (<c>~</c>, <c>null</c> or nothing).</summary>
internal sealed class ScalarNode(string? value, SourceLocation location, bool quoted = false) : YamlNode(location)
{
    public string? Value { get; set; } = value;

    /// <summary>Quoted scalars are always text; plain ones are typed by the YAML 1.2 core schema.</summary>
    public bool Quoted { get; set; } = quoted;

    /// <summary>Set by normalization where the spec fixes the type (a port's target is a number).</summary>
    public ScalarKind? ForcedKind { get; set; }

    /// <summary>The text as written, where interpolation changed it; errors show both.</summary>
    public string? Original { get; set; }

    public bool IsNull => Value is null;

    public ScalarKind Kind => ForcedKind ?? (Value is null ? ScalarKind.Null : Quoted ? ScalarKind.String : CoreSchema.Resolve(Value));

    public static ScalarNode Text(string? value, SourceLocation location) => new(value, location, quoted: true);

    public static ScalarNode Number(long value, SourceLocation location) =>
        new(value.ToString(System.Globalization.CultureInfo.InvariantCulture), location) { ForcedKind = ScalarKind.Integer };

    public static ScalarNode Boolean(bool value, SourceLocation location) =>
        new(value ? "true" : "false", location) { ForcedKind = ScalarKind.Boolean };

    public override YamlNode DeepClone() => new ScalarNode(Value, Location, Quoted) { Tag = Tag, ForcedKind = ForcedKind, Original = Original };

    public override string Describe() => Value is null ? "nothing (null)"
        : Original is null ? $"'{Value}'" : $"'{Value}' (interpolated from '{Original}')";
}
