namespace Autonomy.Server.Compose.Yaml;

/// <summary>
/// A YAML value with the place it came from. The loader works on this tree rather than on typed
/// objects because interpolation, extends, include and merge are defined on YAML, and every error
/// found after them must still name the file, line and column the user wrote.
/// </summary>
internal abstract class YamlNode(SourceLocation location)
{
    public SourceLocation Location { get; set; } = location;

    /// <summary>A custom tag such as <c>!reset</c> or <c>!override</c> (merge directives of the spec).</summary>
    public string? Tag { get; set; }

    public bool IsReset => Tag == "!reset";

    public bool IsOverride => Tag == "!override";

    public abstract YamlNode DeepClone();

    /// <summary>What the user wrote, in words, for error messages ("a mapping", "the text 'three'").</summary>
    public abstract string Describe();
}
