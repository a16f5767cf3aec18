namespace Autonomy.Server.Config.Formats;

/// <summary>The checks every export makes before a format writes the entries.</summary>
internal static class ExportEntries
{
    /// <summary>The entries in ordinal order of their keys, once checked.</summary>
    /// <exception cref="ArgumentException">An entry is null, a key is empty or given twice, or a text is not valid UTF-16.</exception>
    public static IReadOnlyList<ConfigEntry> Sorted(IEnumerable<ConfigEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<ConfigEntry>();
        foreach (var entry in entries)
        {
            if (entry?.Key is null || entry.Value is null || entry.ContentType is null)
            {
                throw new ArgumentException("an entry, or its key, value or content type, is null", nameof(entries));
            }
            if (entry.Key.Length == 0)
            {
                throw new ArgumentException("an entry has an empty key", nameof(entries));
            }
            // Every file is UTF-8: a lone surrogate could not be written.
            if (!IsValidUtf16(entry.Key) || !IsValidUtf16(entry.Value))
            {
                throw Refuse(entry.Key, "it holds an unpaired UTF-16 surrogate, which no file encoding can hold");
            }
            list.Add(entry);
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 1; i < list.Count; i++)
        {
            if (string.Equals(list[i - 1].Key, list[i].Key, StringComparison.Ordinal))
            {
                throw new ArgumentException($"the key '{list[i].Key}' is given twice", nameof(entries));
            }
        }
        return list;
    }

    /// <summary>The error for an entry a format cannot write: names the key and says why.</summary>
    public static ArgumentException Refuse(string key, string reason) =>
        new($"the entry '{key}' cannot be exported: {reason}", "entries");

    private static bool IsValidUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }
}
