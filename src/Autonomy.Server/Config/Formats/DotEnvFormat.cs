using System.Text;

namespace Autonomy.Server.Config.Formats;

/// <summary>
/// <c>.env</c> files: <c>KEY=VALUE</c> lines, keys mapped to config keys by the .NET environment convention, where
/// <c>__</c> separates the parts of a key (<c>Logging__LogLevel__Default</c> is <c>Logging:LogLevel:Default</c>).
/// </summary>
/// <remarks>
/// <para>
/// A line is blank, a comment (<c>#</c> first), or <c>KEY=VALUE</c>, optionally after <c>export </c>, with blanks
/// allowed around the <c>=</c>. A key matches <c>[A-Za-z_][A-Za-z0-9_]*</c>. Values are literal: there is no
/// <c>${}</c> interpolation. An unquoted value runs to the end of the line, is cut at a <c>#</c> that follows a space
/// or tab (an inline comment; <c>a#b</c> keeps its <c>#</c>, and so does a value that starts with one, as in docker
/// compose) and trimmed. A single-quoted value is literal. A
/// double-quoted value expands <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\"</c>, <c>\\</c> and <c>\$</c>, and keeps any other
/// backslash as written. Quoted values may span lines (a line break in the file is <c>\n</c> in the value); after the
/// closing quote only blanks and a comment may follow. Lines end at <c>\n</c>, <c>\r\n</c> or <c>\r</c>.
/// </para>
/// <para>
/// A key assigned twice keeps its later value, as a shell or docker compose reading the file does. Errors: a line
/// without <c>=</c>, an invalid key, an unterminated quote, text after a closing quote.
/// </para>
/// </remarks>
internal static partial class DotEnvFormat
{
    private const string ExportPrefix = "export";

    public static IReadOnlyList<ConfigEntry> Parse(SourceText source)
    {
        var collector = new EntryCollector();
        var text = source.Text;
        var position = 0;
        while (position < text.Length)
        {
            position = SkipBlanks(text, position);
            if (position >= text.Length)
            {
                break;
            }
            if (IsLineBreak(text[position]) || text[position] == '#')
            {
                position = NextLine(text, position);
                continue;
            }
            position = SkipExport(text, position);
            var lineEnd = LineEnd(text, position);
            var equals = text.IndexOf('=', position, lineEnd - position);
            if (equals < 0)
            {
                Error(collector, source, position, $"'{text[position..lineEnd].TrimEnd()}' has no '=': a line must be KEY=VALUE, a comment (#) or blank",
                    "write KEY=VALUE");
                position = NextLine(text, position);
                continue;
            }
            var keyStart = position;
            var name = text[keyStart..equals].TrimEnd(' ', '\t');
            var validKey = CheckName(collector, source, name, keyStart);
            position = SkipBlanks(text, equals + 1);
            var value = ReadValue(collector, source, name, ref position);
            if (value is null)
            {
                // An unterminated quote: the rest of the text is its value, and nothing can be read after it.
                break;
            }
            if (validKey)
            {
                var (line, column) = source.PositionOf(keyStart);
                collector.Add(name.Replace("__", ":", StringComparison.Ordinal), value, ConfigEntry.PlainText, line, column, overridableName: name);
            }
        }
        return collector.Build();
    }

    private static bool CheckName(EntryCollector collector, SourceText source, string name, int start)
    {
        if (name.Length == 0)
        {
            Error(collector, source, start, "the line has no variable name before '='", "write KEY=VALUE");
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            if (!IsNameCharacter(name[i]) || (i == 0 && char.IsAsciiDigit(name[0])))
            {
                Error(collector, source, start + i, $"'{name}' is not a valid variable name: it must start with a letter or '_' and hold only letters, digits and '_'",
                    "use '__' to separate the parts of a key, as in Logging__LogLevel__Default");
                return false;
            }
        }
        return true;
    }

    // Reads the value starting at `position` and leaves `position` at the start of the next line; null when a quote
    // is never closed.
    private static string? ReadValue(EntryCollector collector, SourceText source, string name, ref int position)
    {
        var text = source.Text;
        if (position < text.Length && text[position] is '"' or '\'')
        {
            var open = position;
            var value = ReadQuoted(text, ref position);
            if (value is null)
            {
                var quote = text[open] == '"' ? "double" : "single";
                Error(collector, source, open, $"the {quote} quote that opens the value of {name} is never closed",
                    text[open] == '"' ? "add the closing \", and write \\\" for a \" inside the value" : "add the closing ', and use double quotes for a value that holds a '");
                return null;
            }
            position = SkipBlanks(text, position);
            if (position < text.Length && !IsLineBreak(text[position]) && text[position] != '#')
            {
                Error(collector, source, position, $"unexpected text after the closing quote of the value of {name}",
                    "put the whole value inside the quotes; a comment after it starts with ' #'");
            }
            position = NextLine(text, position);
            return value;
        }
        var start = position;
        var end = LineEnd(text, start);
        for (var i = start + 1; i < end; i++)
        {
            // Only a '#' after a blank starts a comment, so that a#b keeps its '#'.
            if (text[i] == '#' && text[i - 1] is ' ' or '\t')
            {
                end = i;
                break;
            }
        }
        position = NextLine(text, start);
        return text[start..end].TrimEnd();
    }

    // Reads the quoted value whose quote is at `position` and leaves `position` past the closing quote.
    private static string? ReadQuoted(string text, ref int position)
    {
        var quote = text[position];
        var value = new StringBuilder();
        for (var i = position + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == quote)
            {
                position = i + 1;
                return value.ToString();
            }
            if (c == '\r')
            {
                // A line break of the file is '\n' in the value, whichever the file uses.
                value.Append('\n');
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                continue;
            }
            if (c == '\\' && quote == '"' && i + 1 < text.Length)
            {
                var escaped = text[i + 1] switch
                {
                    'n' => "\n",
                    'r' => "\r",
                    't' => "\t",
                    '"' => "\"",
                    '\\' => "\\",
                    '$' => "$",
                    _ => null,
                };
                if (escaped is not null)
                {
                    value.Append(escaped);
                    i++;
                    continue;
                }
            }
            value.Append(c);
        }
        return null;
    }

    // "export" is a prefix only when a blank follows it and something other than '=' comes next: "export=1" and
    // "exported=1" are keys.
    private static int SkipExport(string text, int position)
    {
        var next = position + ExportPrefix.Length;
        if (next >= text.Length || !text.AsSpan(position).StartsWith(ExportPrefix, StringComparison.Ordinal) || text[next] is not (' ' or '\t'))
        {
            return position;
        }
        var key = SkipBlanks(text, next);
        return key < text.Length && text[key] != '=' && !IsLineBreak(text[key]) ? key : position;
    }

    private static void Error(EntryCollector collector, SourceText source, int offset, string message, string hint)
    {
        var (line, column) = source.PositionOf(offset);
        collector.Error(line, column, message, hint);
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool IsLineBreak(char c) => c is '\n' or '\r';

    private static int SkipBlanks(string text, int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]) && !IsLineBreak(text[position]))
        {
            position++;
        }
        return position;
    }

    private static int LineEnd(string text, int position)
    {
        var end = text.IndexOfAny(['\n', '\r'], position);
        return end < 0 ? text.Length : end;
    }

    private static int NextLine(string text, int position)
    {
        var end = LineEnd(text, position);
        return end < text.Length && text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? end + 2 : Math.Min(end + 1, text.Length);
    }
}
