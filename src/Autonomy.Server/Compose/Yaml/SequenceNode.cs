namespace Autonomy.Server.Compose.Yaml;

internal sealed class SequenceNode(SourceLocation location) : YamlNode(location)
{
    public List<YamlNode> Items { get; } = [];

    public SequenceNode(SourceLocation location, IEnumerable<YamlNode> items) : this(location) => Items.AddRange(items);

    public override YamlNode DeepClone() => new SequenceNode(Location, Items.Select(i => i.DeepClone())) { Tag = Tag };

    public override string Describe() => "a list";
}
