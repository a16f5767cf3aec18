using System.Text;
using System.Text.RegularExpressions;

namespace Autonomy.Server.Config.Formats;

/// <remarks>
/// <para>
/// Export writes <c>NAME=value</c> lines in ordinal order of the keys, <c>:</c> written as <c>__</c>. A key whose name
/// is then not a variable name, or would not read back as the same key (one holding <c>__</c> itself, or a part that
/// ends with <c>_</c> before a <c>:</c>), is refused.
/// </para>
/// <para>
/// A value is written unquoted when it reads back as itself and a compose file's <c>env_file</c> would read it the same:
/// no whitespace at its ends, no control character, no quote or <c>#</c> at its start, no <c>#</c> after a blank, no
/// <c>$</c>. A value holding <c>$</c> and no <c>'</c> or <c>\r</c> is single-quoted, so that docker compose does not
/// interpolate it; any other value is double-quoted, with <c>\\</c>, <c>\"</c>, <c>\n</c>, <c>\r</c>, <c>\t</c> and
/// <c>\$</c> escaped.
/// </para>
/// </remarks>
internal static partial class DotEnvFormat
{
    public static string Write(IReadOnlyList<ConfigEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append(Name(entry)).Append('=').Append(Quote(entry.Value)).Append('\n');
        }
        return text.ToString();
    }

    private static string Name(ConfigEntry entry)
    {
        var name = entry.Key.Replace(":", "__", StringComparison.Ordinal);
        if (!NamePattern().IsMatch(name))
        {
            throw ExportEntries.Refuse(entry.Key,
                $"'{name}' is not a variable name: a .env key must start with a letter or '_' and hold only letters, digits and '_' ('__' separating the parts of a key)");
        }
        if (name.Replace("__", ":", StringComparison.Ordinal) != entry.Key)
        {
            throw ExportEntries.Refuse(entry.Key,
                $"its .env name '{name}' would read back as '{name.Replace("__", ":", StringComparison.Ordinal)}', since '__' separates the parts of a key");
        }
        return name;
    }

    private static string Quote(string value)
    {
        if (IsSafeUnquoted(value))
        {
            return value;
        }
        if (value.Contains('$') && !value.Contains('\'') && !value.Contains('\r'))
        {
            return $"'{value}'";
        }
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '$' => "\\$",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    private static bool IsSafeUnquoted(string value)
    {
        if (value.Length == 0)
        {
            return true;
        }
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]) || value[0] is '"' or '\'' or '#')
        {
            return false;
        }
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsControl(value[i]) || value[i] == '$' || (value[i] == '#' && char.IsWhiteSpace(value[i - 1])))
            {
                return false;
            }
        }
        return true;
    }

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
