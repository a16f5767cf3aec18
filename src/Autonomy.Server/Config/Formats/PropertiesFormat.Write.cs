using System.Globalization;
using System.Text;

namespace Autonomy.Server.Config.Formats;

/// <remarks>
/// <para>
/// Export writes <c>key=value</c> lines in ordinal order of the keys, <c>:</c> written as <c>.</c>; a key holding a
/// <c>.</c> of its own would read back as two parts, so it is refused. What <c>Properties.load</c> would read
/// otherwise is escaped, as <c>Properties.store</c> escapes it: <c>\\</c>, <c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\f</c>
/// everywhere; in keys also spaces and <c>=</c> <c>:</c> <c>#</c> <c>!</c>; in values the spaces at the start (which
/// the reader would skip), and those at the end as <c>\u0020</c>, so that no editor strips them. Characters outside
/// printable ASCII are written as <c>\uXXXX</c> (a pair for those beyond U+FFFF), so that the file reads the same
/// whether a program loads it as ISO-8859-1 (<c>Properties.load(InputStream)</c>) or as UTF-8 (a <c>Reader</c>, or
/// resource bundles since Java 9).
/// </para>
/// </remarks>
internal static partial class PropertiesFormat
{
    public static string Write(IReadOnlyList<ConfigEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            if (entry.Key.Contains('.'))
            {
                throw ExportEntries.Refuse(entry.Key, "a '.' in a .properties key separates its parts, so it would read back as ':'");
            }
            Escape(text, entry.Key.Replace(':', '.'), isKey: true);
            text.Append('=');
            Escape(text, entry.Value, isKey: false);
            text.Append('\n');
        }
        return text.ToString();
    }

    private static void Escape(StringBuilder text, string value, bool isKey)
    {
        var leadingSpaces = value.Length - value.TrimStart(' ').Length;
        var trailingStart = value.TrimEnd(' ').Length;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '\t':
                    text.Append(@"\t");
                    break;
                case '\n':
                    text.Append(@"\n");
                    break;
                case '\r':
                    text.Append(@"\r");
                    break;
                case '\f':
                    text.Append(@"\f");
                    break;
                case ' ' when !isKey && i >= trailingStart:
                    // Not "\ ": an editor stripping the line's trailing space would leave a backslash that joins the next line.
                    text.Append(@"\u0020");
                    break;
                case ' ' when isKey || i < leadingSpaces:
                    text.Append(@"\ ");
                    break;
                case '=' or ':' or '#' or '!' when isKey:
                    text.Append('\\').Append(c);
                    break;
                case < ' ' or > '~':
                    text.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
    }
}
