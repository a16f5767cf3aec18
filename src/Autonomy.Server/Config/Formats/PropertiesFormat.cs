using System.Text;

namespace Autonomy.Server.Config.Formats;

/// <summary>
/// Java <c>.properties</c> files, read as <c>java.util.Properties.load</c> reads them, with <c>.</c> separating the
/// parts of a key (<c>server.port</c> is <c>server:port</c>).
/// </summary>
/// <remarks>
/// <para>
/// A logical line is <c>key=value</c>, <c>key: value</c> or <c>key value</c>: the key ends at the first unescaped
/// <c>=</c>, <c>:</c> or blank (space, tab, form feed), and blanks and one <c>=</c> or <c>:</c> after it are skipped;
/// the value keeps its trailing blanks, as Java does. A line whose first non-blank character is <c>#</c> or <c>!</c> is
/// a comment. A line ending in an odd number of backslashes continues on the next, whose leading blanks are dropped.
/// Keys and values expand <c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\f</c> and <c>\uXXXX</c>; a backslash before any other
/// character stands for that character (<c>\=</c>, <c>\:</c>, <c>\#</c>, <c>\!</c>, <c>\ </c>, <c>\\</c>). The text is
/// read as given: a file the caller decoded as UTF-8 may hold any character as itself.
/// </para>
/// <para>
/// Both <c>.</c> and a literal (escaped) <c>:</c> in a key separate its parts, so <c>a.b</c> and <c>a\:b</c> are the
/// same key, and both in one file are a duplicate; a key repeated exactly keeps its later value, as
/// <c>Properties.load</c> does. A key cannot hold a <c>.</c> that is not a separator. Errors: a malformed <c>\u</c>
/// escape, each one found, at its backslash; a line with an empty key.
/// </para>
/// </remarks>
internal static partial class PropertiesFormat
{
    public static IReadOnlyList<ConfigEntry> Parse(SourceText source)
    {
        var collector = new EntryCollector();
        var position = 0;
        while (ReadLogicalLine(source.Text, ref position) is { } line)
        {
            var (keyEnd, valueStart) = Split(line);
            var key = Unescape(line, 0, keyEnd, source, collector);
            var value = Unescape(line, valueStart, line.Count, source, collector);
            var (number, column) = source.PositionOf(line.Offsets[0]);
            if (key is not null && value is not null)
            {
                collector.Add(key.Replace('.', ':'), value, ConfigEntry.PlainText, number, column, overridableName: key);
            }
        }
        return collector.Build();
    }

    // Java's LineReader.readLine: skips blank lines, comment lines and the leading blanks of each natural line, joins
    // the natural lines of a logical line, and drops the backslash that continues a line. Null at the end of the text.
    private static LogicalLine? ReadLogicalLine(string text, ref int position)
    {
        var line = new LogicalLine();
        var skipBlanks = true;
        var continued = false;
        var precedingBackslash = false;
        while (true)
        {
            if (position >= text.Length)
            {
                if (line.Count == 0)
                {
                    return null;
                }
                if (precedingBackslash)
                {
                    line.RemoveLast();
                }
                // A lone backslash on the last line leaves nothing to read.
                return line.Count > 0 ? line : null;
            }
            var c = text[position++];
            if (skipBlanks)
            {
                if (c is ' ' or '\t' or '\f' || (!continued && c is '\r' or '\n'))
                {
                    continue;
                }
                skipBlanks = false;
                continued = false;
            }
            if (line.Count == 0 && c is '#' or '!')
            {
                while (position < text.Length && text[position] is not ('\r' or '\n'))
                {
                    position++;
                }
                skipBlanks = true;
                continue;
            }
            if (c is not ('\r' or '\n'))
            {
                line.Add(c, position - 1);
                precedingBackslash = c == '\\' && !precedingBackslash;
                continue;
            }
            if (line.Count == 0)
            {
                skipBlanks = true;
                continue;
            }
            if (!precedingBackslash)
            {
                return line;
            }
            line.RemoveLast();
            skipBlanks = true;
            continued = true;
            precedingBackslash = false;
            if (c == '\r' && position < text.Length && text[position] == '\n')
            {
                position++;
            }
        }
    }

    // Java's load0: where the key ends and the value starts.
    private static (int KeyEnd, int ValueStart) Split(LogicalLine line)
    {
        var keyEnd = 0;
        var valueStart = line.Count;
        var hasSeparator = false;
        var precedingBackslash = false;
        while (keyEnd < line.Count)
        {
            var c = line[keyEnd];
            if (c is '=' or ':' && !precedingBackslash)
            {
                valueStart = keyEnd + 1;
                hasSeparator = true;
                break;
            }
            if (c is ' ' or '\t' or '\f' && !precedingBackslash)
            {
                valueStart = keyEnd + 1;
                break;
            }
            precedingBackslash = c == '\\' && !precedingBackslash;
            keyEnd++;
        }
        while (valueStart < line.Count)
        {
            var c = line[valueStart];
            if (c is not (' ' or '\t' or '\f'))
            {
                if (hasSeparator || c is not ('=' or ':'))
                {
                    break;
                }
                hasSeparator = true;
            }
            valueStart++;
        }
        return (keyEnd, valueStart);
    }

    // Java's loadConvert, reporting each malformed \u escape where Java stops at the first. Null when one was found.
    private static string? Unescape(LogicalLine line, int start, int end, SourceText source, EntryCollector collector)
    {
        var text = new StringBuilder(end - start);
        var valid = true;
        for (var i = start; i < end; i++)
        {
            var c = line[i];
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }
            // A line never ends with an unescaped backslash, so one follows.
            var escaped = line[++i];
            if (escaped != 'u')
            {
                text.Append(escaped switch { 't' => '\t', 'n' => '\n', 'r' => '\r', 'f' => '\f', _ => escaped });
                continue;
            }
            var digits = 0;
            var value = 0;
            while (digits < 4 && i + 1 + digits < end && char.IsAsciiHexDigit(line[i + 1 + digits]))
            {
                value = (value * 16) + HexValue(line[i + 1 + digits]);
                digits++;
            }
            if (digits < 4)
            {
                var (number, column) = source.PositionOf(line.Offsets[i - 1]);
                var written = new string([.. Enumerable.Range(i - 1, Math.Min(6, end - i + 1)).Select(j => line[j])]);
                collector.Error(number, column, $"malformed \\uXXXX escape '{written}': \\u must be followed by four hexadecimal digits",
                    "write the character as \\u and four hex digits (\\u00e9 for é), or \\\\u for a backslash followed by u");
                valid = false;
            }
            text.Append((char)value);
            i += digits;
        }
        return valid ? text.ToString() : null;
    }

    private static int HexValue(char digit) => char.IsAsciiDigit(digit) ? digit - '0' : (digit | 0x20) - 'a' + 10;

    /// <summary>The characters of a logical line, each with its offset in the text.</summary>
    private sealed class LogicalLine
    {
        private readonly StringBuilder _chars = new();

        public List<int> Offsets { get; } = [];

        public int Count => _chars.Length;

        public char this[int index] => _chars[index];

        public void Add(char c, int offset)
        {
            _chars.Append(c);
            Offsets.Add(offset);
        }

        public void RemoveLast()
        {
            _chars.Length--;
            Offsets.RemoveAt(Offsets.Count - 1);
        }
    }
}
