namespace Autonomy.Server.Compose.Yaml;

/// <summary>A YAML mapping with string keys, kept in the order written (the output keeps it too).</summary>
internal sealed class MappingNode(SourceLocation location) : YamlNode(location)
{
    private readonly List<KeyValuePair<ScalarNode, YamlNode>> _entries = [];

    public IReadOnlyList<KeyValuePair<ScalarNode, YamlNode>> Entries => _entries;

    public IEnumerable<string> Keys => _entries.Select(e => e.Key.Value ?? "");

    public int Count => _entries.Count;

    public YamlNode? this[string key]
    {
        get => Find(key) is { } i ? _entries[i].Value : null;
    }

    public bool ContainsKey(string key) => Find(key) is not null;

    public ScalarNode? KeyNode(string key) => Find(key) is { } i ? _entries[i].Key : null;

    /// <summary>Adds or replaces, keeping the key's original position and location when it exists.</summary>
    public void Set(string key, YamlNode value, SourceLocation? keyLocation = null)
    {
        if (Find(key) is { } i)
        {
            _entries[i] = new(_entries[i].Key, value);
        }
        else
        {
            _entries.Add(new(ScalarNode.Text(key, keyLocation ?? value.Location), value));
        }
    }

    public void Add(ScalarNode key, YamlNode value) => _entries.Add(new(key, value));

    public bool Remove(string key)
    {
        if (Find(key) is { } i)
        {
            _entries.RemoveAt(i);
            return true;
        }
        return false;
    }

    public override YamlNode DeepClone()
    {
        var copy = new MappingNode(Location) { Tag = Tag };
        foreach (var (k, v) in _entries)
        {
            copy._entries.Add(new((ScalarNode)k.DeepClone(), v.DeepClone()));
        }
        return copy;
    }

    public override string Describe() => "a mapping";

    private int? Find(string key)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (string.Equals(_entries[i].Key.Value, key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return null;
    }
}
