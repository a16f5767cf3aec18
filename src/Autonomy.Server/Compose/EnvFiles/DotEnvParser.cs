using System.Text;
using Autonomy.Server.Compose.Interpolation;

namespace Autonomy.Server.Compose.EnvFiles;

/// <summary>
/// Reads the text of a <c>.env</c> or <c>env_file</c> file by the rules of compose-go's <c>dotenv</c> parser, the one
/// docker compose reads them with, so that a file means here what it means there.
/// </summary>
/// <remarks>
/// <para>
/// A statement is <c>KEY=VALUE</c> or <c>KEY: VALUE</c>, optionally after <c>export </c>, with blanks allowed around the
/// separator. Blank lines and lines whose first non-blank character is <c>#</c> are skipped; a leading UTF-8 BOM is
/// ignored. A key holds letters, digits and <c>_ . - [ ]</c>. A bare <c>KEY</c> line takes its value from the lookup.
/// </para>
/// <para>
/// Unquoted values run to the end of the line, are cut at the first <c>" #"</c>, trimmed and interpolated.
/// Single-quoted values are literal and may span lines (<c>\'</c> is a quote). Double-quoted values may span lines;
/// their shell escapes are expanded, then they are interpolated. Interpolation looks a name up in <c>lookup</c> first
/// (the process environment wins), then in the values this text defined on earlier lines, then in <c>earlierFiles</c>.
/// </para>
/// </remarks>
internal static class DotEnvParser
{
    private const string ExportPrefix = "export";

    // Long enough to recognise the line in an error message.
    private const int MaxQuotedLineLength = 60;

    /// <summary>Parses <paramref name="text"/>; every assignment is returned in order, later ones override earlier ones.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="lookup">Variables set outside the file (the process environment); null when unset.</param>
    /// <param name="earlierFiles">
    /// Values read from the env files listed before this one, consulted after this file's own earlier lines, so that a
    /// file that redefines a variable sees its own value.
    /// </param>
    /// <exception cref="DotEnvException">The text is malformed, or a value's interpolation failed.</exception>
    public static IReadOnlyList<DotEnvEntry> Parse(string text, Func<string, string?> lookup, Func<string, string?>? earlierFiles = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(lookup);

        var entries = new List<DotEnvEntry>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? Resolve(string name) =>
            lookup(name) ?? (values.TryGetValue(name, out var value) ? value : earlierFiles?.Invoke(name));

        var line = 1;
        var lineCountedTo = 0;
        var position = text.StartsWith('\uFEFF') ? 1 : 0;
        while ((position = SkipToStatement(text, position)) < text.Length)
        {
            line += text.AsSpan(lineCountedTo, position - lineCountedTo).Count('\n');
            lineCountedTo = position;

            position = SkipExport(text, position);
            var key = ReadKey(text, ref position, out var inherited);
            if (!inherited)
            {
                var value = ReadValue(text, ref position, key, Resolve);
                values[key] = value;
                entries.Add(new DotEnvEntry(key, value, line));
            }
            else if (key.Length > 0)
            {
                // A bare KEY is looked up outside the file only, as compose-go does; its own earlier lines do not count.
                var value = lookup(key) ?? earlierFiles?.Invoke(key);
                if (value is not null)
                {
                    values[key] = value;
                }
                entries.Add(new DotEnvEntry(key, value, line));
            }
            // else: "export" alone on its line, which compose-go ignores.
        }
        return entries;
    }

    // Skips blank lines, indentation and comment lines; returns the offset of the next statement or text.Length.
    private static int SkipToStatement(string text, int position)
    {
        while (true)
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
            if (position >= text.Length || text[position] != '#')
            {
                return position;
            }
            var lineEnd = text.IndexOf('\n', position);
            if (lineEnd < 0)
            {
                return text.Length;
            }
            position = lineEnd;
        }
    }

    // compose-go drops "export" when a space, tab, CR, LF or form feed follows it, so "exportFOO=1" and "export.FOO=1"
    // keep it as part of the key.
    private static int SkipExport(string text, int position)
    {
        var next = position + ExportPrefix.Length;
        if (next >= text.Length
            || !text.AsSpan(position).StartsWith(ExportPrefix, StringComparison.Ordinal)
            || text[next] is not (' ' or '\t' or '\n' or '\r' or '\f'))
        {
            return position;
        }
        return SkipBlanks(text, next);
    }

    // Reads the key up to '=', ':' or the end of the line, and leaves `position` just past that separator.
    // `inherited` is true for a bare KEY line.
    private static string ReadKey(string text, ref int position, out bool inherited)
    {
        var start = position;
        var end = text.Length;
        inherited = true;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '=' or ':' or '\n')
            {
                end = i;
                inherited = c == '\n';
                break;
            }
            if (IsBlank(c) || c is '_' or '.' or '-' or '[' or ']')
            {
                continue;
            }
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var length);
            if (!Rune.IsLetter(rune) && !Rune.IsNumber(rune))
            {
                throw Error(
                    text,
                    i,
                    $"unexpected character {Describe(text.Substring(i, length))} in variable name \"{LineAt(text, start)}\"; "
                        + "a name may hold only letters, digits, '_', '.', '-', '[' and ']', then '=' and the value");
            }
            i += length - 1;
        }
        // compose-go reads a bare KEY on the last line, without a line break, as an empty key whose value is "KEY";
        // here it is the same bare KEY as on any other line.
        position = Math.Min(end + 1, text.Length);

        var key = text[start..end].TrimEnd();
        if (key.Length == 0 && !inherited)
        {
            throw Error(
                text,
                start,
                $"the line \"{LineAt(text, start)}\" has no variable name before '{text[end]}'; write NAME=VALUE");
        }
        var blank = key.AsSpan().IndexOfAny(" \t\v\f\r\u0085\u00A0");
        if (blank >= 0)
        {
            throw Error(
                text,
                start + blank,
                $"variable name \"{key}\" contains a space; write NAME=VALUE with no space in the name, and put a value with spaces after the '='");
        }
        return key;
    }

    private static string ReadValue(string text, ref int position, string key, Func<string, string?> resolve)
    {
        position = SkipBlanks(text, position);
        return position < text.Length && text[position] is '"' or '\''
            ? ReadQuoted(text, ref position, key, resolve)
            : ReadUnquoted(text, ref position, resolve);
    }

    private static string ReadUnquoted(string text, ref int position, Func<string, string?> resolve)
    {
        var start = position;
        var lineEnd = text.IndexOf('\n', start);
        if (lineEnd < 0)
        {
            lineEnd = text.Length;
        }
        // Only " #" starts a comment, so that "FOO=123#abc" keeps its '#'.
        var end = text.IndexOf(" #", start, lineEnd - start, StringComparison.Ordinal);
        if (end < 0)
        {
            end = lineEnd;
        }
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }
        position = Math.Min(lineEnd + 1, text.Length);
        return Interpolate(text, text[start..end], offset => start + offset, resolve);
    }

    // Reads a quoted value starting at the quote at `position` and leaves `position` just past the closing quote; what
    // follows on the line is read as a next statement, as compose-go does (a trailing "# comment" is then skipped).
    private static string ReadQuoted(string text, ref int position, string key, Func<string, string?> resolve)
    {
        var open = position;
        var quote = text[open];
        var raw = new StringBuilder();
        var origins = new List<int>();
        var escaped = false;
        for (var i = open + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == quote && !escaped)
            {
                position = i + 1;
                if (quote == '\'')
                {
                    return raw.ToString();
                }
                var template = ExpandEscapes(raw.ToString(), origins, out var templateOrigins);
                return Interpolate(text, template, offset => templateOrigins[offset], resolve);
            }
            if (c == '\\' && !escaped)
            {
                escaped = true;
                continue;
            }
            // A backslash is kept except before the quote character; the escapes of double-quoted values are expanded
            // once the whole value is read.
            if (escaped && c != quote)
            {
                raw.Append('\\');
                origins.Add(i - 1);
            }
            raw.Append(c);
            origins.Add(i);
            escaped = false;
        }
        var name = quote == '"' ? "double" : "single";
        throw Error(
            text,
            open,
            $"unterminated quoted value: the {name} quote that opens the value of {key} is never closed; "
                + $"add the closing {quote}, and write \\{quote} for a {quote} inside the value");
    }

    // Expands the escapes compose-go expands in double-quoted values: \a \b \f \n \r \t \v \\ \" and \0 followed by three
    // octal digits (\0123 is "S"). \$ becomes $$, which interpolation then reads as a literal $. Any other backslash,
    // including \c, \x41 and an incomplete \0, is kept as written. `origins` maps each character of `raw` to its offset in the
    // file; `expandedOrigins` does the same for the result, so an interpolation error can point into the file.
    private static string ExpandEscapes(string raw, List<int> origins, out List<int> expandedOrigins)
    {
        var expanded = new StringBuilder(raw.Length);
        expandedOrigins = new List<int>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var origin = origins[i];
            if (raw[i] != '\\' || i + 1 >= raw.Length)
            {
                expanded.Append(raw[i]);
                expandedOrigins.Add(origin);
                continue;
            }
            var length = EscapeLength(raw, i);
            var replacement = raw[i + 1] switch
            {
                'a' => "\a",
                'b' => "\b",
                'f' => "\f",
                'n' => "\n",
                'r' => "\r",
                't' => "\t",
                'v' => "\v",
                '\\' => "\\",
                '"' => "\"",
                '$' => "$$",
                '0' => OctalCharacter(raw.AsSpan(i + 2, length - 2)),
                _ => null,
            };
            replacement ??= raw.Substring(i, length);
            expanded.Append(replacement);
            expandedOrigins.AddRange(Enumerable.Repeat(origin, replacement.Length));
            i += length - 1;
        }
        return expanded.ToString();
    }

    // The length of the escape that starts with the backslash at `start`: 1 when none starts there (the backslash stays
    // and the next character is read on its own), else the backslash, the letter and, after \0, up to three digits.
    private static int EscapeLength(string raw, int start)
    {
        var next = raw[start + 1];
        if (next == '0')
        {
            var digits = 0;
            while (digits < 3 && start + 2 + digits < raw.Length && char.IsAsciiDigit(raw[start + 2 + digits]))
            {
                digits++;
            }
            return 2 + digits;
        }
        return next is 'a' or 'b' or 'c' or 'f' or 'n' or 'r' or 't' or 'v' or '\\' or '"' or '$' ? 2 : 1;
    }

    // \0 must be followed by exactly three octal digits worth at most 255 (Go's octal escape); otherwise null keeps
    // the text as written.
    private static string? OctalCharacter(ReadOnlySpan<char> digits)
    {
        if (digits.Length != 3)
        {
            return null;
        }
        var value = 0;
        foreach (var digit in digits)
        {
            if (digit is < '0' or > '7')
            {
                return null;
            }
            value = (value * 8) + (digit - '0');
        }
        return value <= 255 ? ((char)value).ToString() : null;
    }

    private static string Interpolate(string text, string template, Func<int, int> sourceOffset, Func<string, string?> resolve)
    {
        try
        {
            return Interpolator.Substitute(template, resolve);
        }
        catch (InterpolationException e)
        {
            var (line, column) = PositionOf(text, sourceOffset(e.Offset));
            throw new DotEnvException(e.Message, line, column, e);
        }
    }

    private static int SkipBlanks(string text, int position)
    {
        while (position < text.Length && IsBlank(text[position]))
        {
            position++;
        }
        return position;
    }

    // compose-go's "space": blank characters that do not end a line.
    private static bool IsBlank(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r' or '\u0085' or '\u00A0';

    private static DotEnvException Error(string text, int offset, string message)
    {
        var (line, column) = PositionOf(text, offset);
        return new DotEnvException(message, line, column);
    }

    private static (int Line, int Column) PositionOf(string text, int offset)
    {
        var before = text.AsSpan(0, offset);
        var lineStart = before.LastIndexOf('\n') + 1;
        if (lineStart == 0 && text.StartsWith('\uFEFF'))
        {
            // Editors do not show the byte order mark, so it takes no column.
            lineStart = 1;
        }
        return (before.Count('\n') + 1, offset - lineStart + 1);
    }

    private static string LineAt(string text, int start)
    {
        var lineEnd = text.IndexOf('\n', start);
        var line = (lineEnd < 0 ? text[start..] : text[start..lineEnd]).TrimEnd();
        return line.Length <= MaxQuotedLineLength ? line : line[..MaxQuotedLineLength] + "...";
    }

    private static string Describe(string character) => character == "\"" ? "'\"'" : $"\"{character}\"";
}
