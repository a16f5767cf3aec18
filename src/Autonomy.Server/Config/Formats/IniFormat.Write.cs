using System.Text;

namespace Autonomy.Server.Config.Formats;

/// <remarks>
/// <para>
/// Export writes top-level keys under <c>[DEFAULT]</c>, first, then one section per key prefix: the last part of a
/// key is the key, the rest its section (<c>a:b:c</c> is <c>c</c> in <c>[a:b]</c>). Sections and keys are in ordinal
/// order, values as <c>key = value</c>, the further lines of a multi-line value indented by four spaces, and an empty
/// line of a value as an empty line.
/// </para>
/// <para>
/// configparser has no quoting or escapes, so what it would not read back identically is refused, naming the key:
/// a value with whitespace at the start or end of any of its lines (which configparser strips), a value ending in a
/// line break, a value holding a <c>\r</c> (a line break to Python), a line after a value's first that starts with
/// <c>#</c> or <c>;</c> (a comment to configparser); a key with whitespace at its start or end, one holding <c>=</c>,
/// a line break, or starting with <c>[</c>, <c>#</c> or <c>;</c>; a section named <c>DEFAULT</c> (its keys are the
/// top-level ones) or with an empty name; and two keys of a section that differ only in case.
/// </para>
/// </remarks>
internal static partial class IniFormat
{
    private const string ContinuationIndent = "    ";

    public static string Write(IReadOnlyList<ConfigEntry> entries)
    {
        var sections = new SortedDictionary<string, List<(string Key, ConfigEntry Entry)>>(StringComparer.Ordinal);
        var topLevel = new List<(string Key, ConfigEntry Entry)>();
        foreach (var entry in entries)
        {
            var split = entry.Key.LastIndexOf(':');
            var key = entry.Key[(split + 1)..];
            CheckKey(entry, key);
            CheckValue(entry);
            if (split < 0)
            {
                topLevel.Add((key, entry));
                continue;
            }
            var section = entry.Key[..split];
            CheckSection(entry, section);
            if (!sections.TryGetValue(section, out var list))
            {
                sections.Add(section, list = []);
            }
            list.Add((key, entry));
        }

        var text = new StringBuilder();
        if (topLevel.Count > 0)
        {
            WriteSection(text, DefaultSection, topLevel);
        }
        foreach (var (name, keys) in sections)
        {
            WriteSection(text, name, keys);
        }
        return text.ToString();
    }

    private static void WriteSection(StringBuilder text, string name, List<(string Key, ConfigEntry Entry)> keys)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, entry) in keys)
        {
            if (seen.TryGetValue(key.ToLowerInvariant(), out var other))
            {
                throw ExportEntries.Refuse(entry.Key, $"configparser compares keys without regard to case, so it would read it and '{other}' as the same key");
            }
            seen.Add(key.ToLowerInvariant(), entry.Key);
        }

        if (text.Length > 0)
        {
            text.Append('\n');
        }
        text.Append('[').Append(name).Append("]\n");
        foreach (var (key, entry) in keys)
        {
            var lines = entry.Value.Split('\n');
            text.Append(key).Append(" =");
            if (lines[0].Length > 0)
            {
                text.Append(' ').Append(lines[0]);
            }
            text.Append('\n');
            foreach (var line in lines.Skip(1))
            {
                // An empty line stays empty: configparser adds it to the value all the same.
                text.Append(line.Length > 0 ? ContinuationIndent + line : "").Append('\n');
            }
        }
    }

    private static void CheckKey(ConfigEntry entry, string key)
    {
        if (key.Length == 0)
        {
            throw ExportEntries.Refuse(entry.Key, "its last part, the key within its INI section, is empty");
        }
        if (key.Contains('='))
        {
            throw ExportEntries.Refuse(entry.Key, "an INI key cannot hold '=', which ends the key");
        }
        if (key.Contains('\n') || key.Contains('\r'))
        {
            throw ExportEntries.Refuse(entry.Key, "an INI key cannot hold a line break");
        }
        if (PythonText.Strip(key) != key)
        {
            throw ExportEntries.Refuse(entry.Key, "configparser strips whitespace from the start and end of a key");
        }
        if (key[0] is '[' or '#' or ';')
        {
            throw ExportEntries.Refuse(entry.Key, $"an INI line starting with '{key[0]}' is read as a {(key[0] == '[' ? "section header" : "comment")}, not a key");
        }
    }

    private static void CheckSection(ConfigEntry entry, string section)
    {
        if (section.Length == 0)
        {
            throw ExportEntries.Refuse(entry.Key, "its section, the part before the last ':', is empty, and '[]' is not a section header");
        }
        if (section == DefaultSection)
        {
            throw ExportEntries.Refuse(entry.Key, "the keys of the [DEFAULT] section are the top-level keys, so a key cannot start with 'DEFAULT:'");
        }
        if (section.Contains('\n') || section.Contains('\r'))
        {
            throw ExportEntries.Refuse(entry.Key, "an INI section name cannot hold a line break");
        }
    }

    private static void CheckValue(ConfigEntry entry)
    {
        var value = entry.Value;
        if (value.Contains('\r'))
        {
            throw ExportEntries.Refuse(entry.Key, "its value holds a '\\r', which Python reads as a line break");
        }
        if (value.EndsWith('\n'))
        {
            throw ExportEntries.Refuse(entry.Key, "its value ends with a line break, and configparser drops empty lines at the end of a value");
        }
        var lines = value.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (PythonText.Strip(lines[i]) != lines[i])
            {
                var where = lines.Length == 1 ? "its value starts or ends" : $"line {i + 1} of its value starts or ends";
                throw ExportEntries.Refuse(entry.Key, $"{where} with whitespace, which configparser strips (INI has no quoting)");
            }
            if (i > 0 && (lines[i].StartsWith('#') || lines[i].StartsWith(';')))
            {
                throw ExportEntries.Refuse(entry.Key, $"line {i + 1} of its value starts with '{lines[i][0]}', which configparser reads as a comment line");
            }
        }
    }
}
