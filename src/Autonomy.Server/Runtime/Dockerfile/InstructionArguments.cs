using System.Text;
using System.Text.Json;

namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// The ways BuildKit's parser cuts an instruction's arguments before any variable is expanded: into words that keep
/// their quotes (ENV, ARG, LABEL), at blanks (FROM, EXPOSE), as a JSON array (exec form), and the leading
/// <c>--flags</c> every instruction may carry.
/// </summary>
internal static class InstructionArguments
{
    private const int InSpaces = 0;
    private const int InWord = 1;
    private const int InQuote = 2;

    /// <summary>
    /// Words separated by unquoted white space; quotes and escapes stay in the word for the expansion to remove later
    /// (<c>a="b c" d</c> is <c>a="b c"</c> and <c>d</c>). An escape character at the very end is dropped.
    /// </summary>
    public static List<ArgumentWord> Words(string line, int start, int end, char escape)
    {
        var words = new List<ArgumentWord>();
        var word = new StringBuilder();
        var phase = InSpaces;
        var quote = '\0';
        var blankOk = false;
        var wordStart = start;
        for (var pos = start; pos <= end; pos++)
        {
            var ch = pos < end ? line[pos] : '\0';
            if (phase == InSpaces)
            {
                if (pos == end)
                {
                    break;
                }
                if (GoWhitespace.IsSpace(ch))
                {
                    continue;
                }
                phase = InWord;
                wordStart = pos;
            }
            if (pos == end)
            {
                if (blankOk || word.Length > 0)
                {
                    words.Add(new ArgumentWord(word.ToString(), wordStart));
                }
                break;
            }
            if (phase == InWord)
            {
                if (GoWhitespace.IsSpace(ch))
                {
                    phase = InSpaces;
                    if (blankOk || word.Length > 0)
                    {
                        words.Add(new ArgumentWord(word.ToString(), wordStart));
                    }
                    word.Clear();
                    blankOk = false;
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    phase = InQuote;
                }
                if (ch == escape)
                {
                    if (pos + 1 == end)
                    {
                        continue;
                    }
                    word.Append(ch);
                    pos++;
                    ch = line[pos];
                }
                word.Append(ch);
                continue;
            }
            // In quotes: the escape character is kept with what it escapes, except in single quotes where it is literal.
            if (ch == quote)
            {
                phase = InWord;
            }
            if (ch == escape && quote != '\'')
            {
                if (pos + 1 == end)
                {
                    phase = InWord;
                    continue;
                }
                pos++;
                word.Append(ch);
                ch = line[pos];
            }
            word.Append(ch);
        }
        return words;
    }

    /// <summary>Pieces separated by runs of <c>[\t\v\f\r ]</c>, nothing else interpreted.</summary>
    public static List<ArgumentWord> Blanks(string line, int start, int end)
    {
        var words = new List<ArgumentWord>();
        var pos = start;
        while (pos < end)
        {
            while (pos < end && GoWhitespace.IsBlank(line[pos]))
            {
                pos++;
            }
            if (pos == end)
            {
                break;
            }
            var wordStart = pos;
            while (pos < end && !GoWhitespace.IsBlank(line[pos]))
            {
                pos++;
            }
            words.Add(new ArgumentWord(line[wordStart..pos], wordStart));
        }
        return words;
    }

    /// <summary>
    /// The exec form: true with the strings when the text is a JSON array of strings. False otherwise, with
    /// <paramref name="notStrings"/> set when it is valid JSON but holds something other than strings (Docker rejects
    /// that; any other text, invalid JSON included, is the shell form).
    /// </summary>
    public static bool TryJsonArray(string text, out IReadOnlyList<string> words, out bool notStrings)
    {
        words = [];
        notStrings = false;
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length == 0 || trimmed[0] != '[')
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(trimmed.ToString());
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return false;
            }
            var list = new List<string>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    notStrings = true;
                    return false;
                }
                list.Add(element.GetString() ?? "");
            }
            words = list;
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The leading <c>--name[=value]</c> words (quotes and backslashes processed inside them) and where the remaining
    /// arguments start; a lone <c>--</c> ends the flags.
    /// </summary>
    public static (List<ArgumentWord> Flags, int RestStart) Flags(string line, int start, int end)
    {
        var flags = new List<ArgumentWord>();
        var word = new StringBuilder();
        var phase = InSpaces;
        var quote = '\0';
        var blankOk = false;
        var wordStart = start;
        for (var pos = start; pos <= end; pos++)
        {
            var ch = pos < end ? line[pos] : '\0';
            if (phase == InSpaces)
            {
                if (pos == end)
                {
                    break;
                }
                if (GoWhitespace.IsSpace(ch))
                {
                    continue;
                }
                if (ch != '-' || pos + 1 == end || line[pos + 1] != '-')
                {
                    return (flags, pos);
                }
                phase = InWord;
                wordStart = pos;
            }
            if (pos == end)
            {
                if (word.ToString() != "--" && (blankOk || word.Length > 0))
                {
                    flags.Add(new ArgumentWord(word.ToString(), wordStart));
                }
                break;
            }
            if (phase == InWord)
            {
                if (GoWhitespace.IsSpace(ch))
                {
                    phase = InSpaces;
                    if (word.ToString() == "--")
                    {
                        return (flags, pos);
                    }
                    if (blankOk || word.Length > 0)
                    {
                        flags.Add(new ArgumentWord(word.ToString(), wordStart));
                    }
                    word.Clear();
                    blankOk = false;
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    phase = InQuote;
                    continue;
                }
                if (ch == '\\')
                {
                    if (pos + 1 == end)
                    {
                        continue;
                    }
                    pos++;
                    ch = line[pos];
                }
                word.Append(ch);
                continue;
            }
            if (ch == quote)
            {
                phase = InWord;
                continue;
            }
            if (ch == '\\')
            {
                if (pos + 1 == end)
                {
                    phase = InWord;
                    continue;
                }
                pos++;
                ch = line[pos];
            }
            word.Append(ch);
        }
        return (flags, end);
    }
}
