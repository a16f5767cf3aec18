namespace Autonomy.Server.Config.Formats;

/// <summary>
/// INI files as Python's <c>configparser</c> reads them with its defaults (<c>strict</c>, delimiters <c>=</c> and
/// <c>:</c>, comment prefixes <c>#</c> and <c>;</c>, no inline comments, empty lines allowed in values), so that a file
/// means here what it means to a Python program such as Flask reading its <c>flask.cfg</c>.
/// </summary>
/// <remarks>
/// <para>
/// A key in <c>[DEFAULT]</c> is a top-level key (<c>SECRET_KEY</c>); a key <c>DEBUG</c> in <c>[flask]</c> is
/// <c>flask:DEBUG</c>; a section name may hold <c>:</c> itself (<c>[a:b]</c> and <c>c</c> give <c>a:b:c</c>). configparser
/// lets every section inherit the keys of <c>[DEFAULT]</c> when a program reads it; the import does not copy them into
/// the sections, so an export writes them once, under <c>[DEFAULT]</c>, as imported.
/// </para>
/// <para>
/// Keys keep their case, where configparser lowercases them; two keys of a section that differ only in case are
/// still duplicates, since configparser would refuse them. Section names are case-sensitive, as in configparser.
/// Values are raw, as <c>RawConfigParser</c> or <c>ConfigParser(interpolation=None)</c> read them: <c>%</c> is
/// not interpolated, and quotes are part of the value (<c>SECRET_KEY ='x'</c> has the value <c>'x'</c>).
/// </para>
/// <para>
/// A key ends at the first <c>=</c> or <c>:</c>; the key and the value are trimmed of whitespace. A line indented
/// deeper than its key continues the value: its trimmed text is joined with <c>\n</c>, and an empty line within a
/// value adds an empty line to it, but empty lines at its end are dropped. A line whose trimmed text starts with
/// <c>#</c> or <c>;</c> is a comment, even inside a value. A header is <c>[</c>, the name, and the last <c>]</c> of the
/// line; configparser ignores what follows it, and so does the import. <c>[DEFAULT]</c> may appear more than once,
/// as configparser allows; any other section may not.
/// </para>
/// <para>
/// Errors: a key before any section header (configparser's MissingSectionHeaderError), a line that is neither a
/// header, a <c>key = value</c>, a comment nor a continuation, a header without its <c>]</c> or with an empty name,
/// a key with no name, a repeated section, and a key repeated in a section.
/// </para>
/// </remarks>
internal static partial class IniFormat
{
    private const string DefaultSection = "DEFAULT";

    public static IReadOnlyList<ConfigEntry> Parse(SourceText source)
    {
        var collector = new EntryCollector();
        var sections = new Dictionary<string, int>(StringComparer.Ordinal);
        // configparser compares keys lowercased; the value is the line a key was first defined on.
        var keys = new Dictionary<(string Section, string Key), int>();
        var options = new List<Option>();
        string? section = null;
        Option? option = null;
        var indentLevel = 0;
        var missingHeaderReported = false;

        for (var number = 1; number <= source.LineCount; number++)
        {
            var line = source.Line(number);
            var stripped = PythonText.Strip(line);
            var comment = stripped.StartsWith('#') || stripped.StartsWith(';');
            if (stripped.Length == 0 || comment)
            {
                // configparser keeps an empty line in the value being read, but not a comment line.
                if (!comment)
                {
                    option?.Lines.Add("");
                }
                continue;
            }
            var indent = PythonText.IndentOf(line);
            var column = indent + 1;
            if (option is not null && indent > indentLevel)
            {
                option.Lines.Add(stripped);
                continue;
            }
            indentLevel = indent;
            option = null;

            if (stripped.StartsWith('['))
            {
                section = ReadHeader(stripped, number, column, sections, collector);
                continue;
            }
            if (section is null)
            {
                if (!missingHeaderReported)
                {
                    collector.Error(number, column, "a key before any section header",
                        "add a [DEFAULT] line above it for top-level keys, or a [section] line for keys of a section");
                    missingHeaderReported = true;
                }
                // Read on as if in [DEFAULT], to find the errors further down.
                section = DefaultSection;
            }
            option = ReadOption(stripped, number, column, section, keys, collector);
            if (option is not null)
            {
                options.Add(option);
            }
        }

        foreach (var o in options)
        {
            // configparser joins the lines of a value, then strips whitespace from its end: empty lines at the end go.
            var value = PythonText.RStrip(string.Join('\n', o.Lines));
            collector.Add(o.Section == DefaultSection ? o.Key : $"{o.Section}:{o.Key}", value, ConfigEntry.PlainText, o.Line, o.Column);
        }
        return collector.Build();
    }

    // Returns the section that follows: the header's name, or a placeholder when the header is malformed so that the
    // lines after it are not also reported as keys before any header.
    private static string ReadHeader(string stripped, int number, int column, Dictionary<string, int> sections, EntryCollector collector)
    {
        var close = stripped.LastIndexOf(']');
        if (close < 0)
        {
            collector.Error(number, column, $"the section header '{stripped}' has no closing ']'", $"write [{stripped[1..]}]");
            return "";
        }
        var name = stripped[1..close];
        if (name.Length == 0)
        {
            collector.Error(number, column, "the section header '[]' has no name", "write [DEFAULT] for top-level keys, or name the section");
            return "";
        }
        if (name == DefaultSection)
        {
            return name;
        }
        if (sections.TryGetValue(name, out var first))
        {
            collector.Error(number, column, $"the section [{name}] is defined twice: on line {first} and on line {number}",
                "merge the two sections into one");
            return name;
        }
        sections.Add(name, number);
        return name;
    }

    private static Option? ReadOption(string stripped, int number, int column, string section, Dictionary<(string, string), int> keys, EntryCollector collector)
    {
        var delimiter = stripped.IndexOfAny(['=', ':']);
        if (delimiter < 0)
        {
            collector.Error(number, column, $"'{stripped}' is not a section header, a key = value line, a comment or an indented continuation line",
                "write key = value, or indent the line deeper than its key to continue that key's value");
            return null;
        }
        var key = PythonText.RStrip(stripped[..delimiter]);
        if (key.Length == 0)
        {
            collector.Error(number, column, $"the line '{stripped}' has no key before '{stripped[delimiter]}'", "write key = value");
            return null;
        }
        if (keys.TryGetValue((section, key.ToLowerInvariant()), out var first))
        {
            var where = section.Length == 0 ? "" : section == DefaultSection ? " in [DEFAULT]" : $" in [{section}]";
            collector.Error(number, column, $"the key '{key}' is defined twice{where}: on line {first} and on line {number}",
                "keep one of them (configparser compares keys without regard to case)");
            return null;
        }
        keys.Add((section, key.ToLowerInvariant()), number);
        if (section.Length == 0)
        {
            // Under a malformed header: checked, but not an entry.
            return null;
        }
        return new Option(section, key, number, column, [PythonText.Strip(stripped[(delimiter + 1)..])]);
    }

    private sealed record Option(string Section, string Key, int Line, int Column, List<string> Lines);
}
