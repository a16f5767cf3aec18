using System.Globalization;

namespace Autonomy.Server.Config.Formats;

/// <summary>
/// Entries nested by the parts of their keys, as JSON and YAML export them: a node is a value, an object of named
/// children, or an array when its children are named 0, 1, 2 … with no gap.
/// </summary>
internal sealed class KeyTree
{
    private readonly SortedDictionary<string, KeyTree> _children = new(StringComparer.Ordinal);

    private KeyTree(string path)
    {
        Path = path;
    }

    /// <summary>The key of this node: the parts that lead to it, joined with ':'.</summary>
    public string Path { get; }

    /// <summary>The entry when this node is a value, else null.</summary>
    public ConfigEntry? Entry { get; private set; }

    /// <summary>The children, in ordinal order of their names, or by index for an array.</summary>
    public IEnumerable<KeyValuePair<string, KeyTree>> Children =>
        IsArray ? _children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)) : _children;

    /// <summary>True when the children are named 0 to n-1, written as numbers with no leading zero.</summary>
    public bool IsArray
    {
        get
        {
            if (_children.Count == 0)
            {
                return false;
            }
            for (var i = 0; i < _children.Count; i++)
            {
                if (!_children.ContainsKey(i.ToString(CultureInfo.InvariantCulture)))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>The root object of <paramref name="entries"/>.</summary>
    /// <exception cref="ArgumentException">A key is both a value and the parent of another key.</exception>
    public static KeyTree Build(IEnumerable<ConfigEntry> entries, string formatName)
    {
        var root = new KeyTree("");
        foreach (var entry in entries)
        {
            var node = root;
            foreach (var part in entry.Key.Split(':'))
            {
                if (node.Entry is { } parent)
                {
                    throw Conflict(parent.Key, entry.Key, formatName);
                }
                if (!node._children.TryGetValue(part, out var child))
                {
                    child = new KeyTree(node == root ? part : $"{node.Path}:{part}");
                    node._children.Add(part, child);
                }
                node = child;
            }
            if (node._children.Count > 0)
            {
                throw Conflict(entry.Key, node.FirstDescendant().Key, formatName);
            }
            node.Entry = entry;
        }
        return root;
    }

    private ConfigEntry FirstDescendant()
    {
        var node = this;
        while (node.Entry is null)
        {
            node = node._children.First().Value;
        }
        return node.Entry;
    }

    private static ArgumentException Conflict(string parent, string child, string formatName) =>
        ExportEntries.Refuse(parent,
            $"'{parent}' has a value and is also the parent of '{child}', and {formatName} cannot hold both: a key is either a value or an object");
}
