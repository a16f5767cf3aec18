using System.Collections;

namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// An AMQP field table: an ordered map of names to values. Values are null (void), bool, sbyte, byte, short,
/// ushort, int, uint, long, float, double, decimal, string, byte[], DateTimeOffset, a nested FieldTable, or an
/// array as <see cref="IReadOnlyList{T}"/> of such values. Order is kept because AMQP encodes a table as a
/// list; equality ignores it, because two tables with the same names and values mean the same thing.
/// </summary>
public sealed class FieldTable : IEnumerable<KeyValuePair<string, object?>>, IEquatable<FieldTable>
{
    private readonly List<KeyValuePair<string, object?>> _entries;

    public FieldTable() => _entries = [];

    public FieldTable(IEnumerable<KeyValuePair<string, object?>> entries) : this()
    {
        foreach (var (key, value) in entries)
        {
            Add(key, value);
        }
    }

    public int Count => _entries.Count;

    public IEnumerable<string> Keys => _entries.Select(entry => entry.Key);

    /// <summary>Gets a value (null when absent) or sets one, replacing in place or appending.</summary>
    public object? this[string key]
    {
        get => TryGetValue(key, out var value) ? value : null;
        set
        {
            var index = IndexOf(key);
            if (index >= 0)
            {
                _entries[index] = new(key, value);
            }
            else
            {
                _entries.Add(new(key, value));
            }
        }
    }

    public void Add(string key, object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (IndexOf(key) >= 0)
        {
            throw new ArgumentException($"the field table already has a field named '{key}'", nameof(key));
        }
        _entries.Add(new(key, value));
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, out object? value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _entries[index].Value : null;
        return index >= 0;
    }

    public bool Remove(string key)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            return false;
        }
        _entries.RemoveAt(index);
        return true;
    }

    /// <summary>A copy whose nested tables are copies too, so that changing it leaves this one as it was.</summary>
    public FieldTable Clone()
    {
        var copy = new FieldTable();
        foreach (var (key, value) in _entries)
        {
            copy._entries.Add(new(key, FieldValues.Clone(value)));
        }
        return copy;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(FieldTable? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }
        foreach (var (key, value) in _entries)
        {
            if (!other.TryGetValue(key, out var theirs) || !FieldValues.AreEqual(value, theirs))
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is FieldTable other && Equals(other);

    public override int GetHashCode()
    {
        var hash = Count;
        foreach (var entry in _entries)
        {
            hash ^= StringComparer.Ordinal.GetHashCode(entry.Key);
        }
        return hash;
    }

    public override string ToString() => FieldValues.Describe(this);

    private int IndexOf(string key)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}
