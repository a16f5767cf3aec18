namespace Autonomy.Server.Compose.Yaml;

internal sealed class SequenceNode(SourceLocation location) : YamlNode(location)
{
    public List<YamlNode> Items { get; } = [];

    public SequenceNode(SourceLocation location, IEnumerable<YamlNode> items) : this(location) => Items.AddRange(items);

    /// <summary>
    /// For a command written as one text: that text. The model prints its words (as docker compose
    /// does), and the runtime runs the text through /bin/sh -c.
    /// </summary>
    public string? ShellText { get; set; }

    public override YamlNode DeepClone() => new SequenceNode(Location, Items.Select(i => i.DeepClone())) { Tag = Tag, ShellText = ShellText };

    public override string Describe() => "a list";
}
