using System.Text;

namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// Docker's expansion of one Dockerfile word (BuildKit's shell lexer): <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-word}</c>,
/// <c>${VAR-word}</c>, <c>${VAR:+word}</c>, <c>${VAR+word}</c>, <c>${VAR:?message}</c>, <c>${VAR?message}</c>,
/// <c>${VAR#pattern}</c>, <c>${VAR%pattern}</c> (doubled for the longest match) and <c>${VAR/pattern/replacement}</c>;
/// single quotes are literal, double quotes keep spaces and honour the escape character before <c>" $</c> and itself,
/// and outside quotes the escape character makes the next character literal. It is not a shell: no command
/// substitution, no globbing, and a variable with no value expands to nothing.
/// </summary>
internal sealed class ShellWordLexer
{
    private const int Eof = -1;

    private readonly string _text;
    private readonly Func<string, string?> _lookup;
    private readonly char _escape;
    private readonly bool _rawQuotes;
    private readonly bool _skipUnset;
    private readonly ISet<string>? _unset;
    private bool _rawEscapes;
    private int _pos;

    private ShellWordLexer(string text, Func<string, string?> lookup, char escape, bool rawQuotes, bool rawEscapes, bool skipUnset, ISet<string>? unset)
    {
        _text = text;
        _lookup = lookup;
        _escape = escape;
        _rawQuotes = rawQuotes;
        _rawEscapes = rawEscapes;
        _skipUnset = skipUnset;
        _unset = unset;
    }

    /// <summary>
    /// The word with variables substituted and quotes removed; spaces are kept. Names referenced plainly
    /// (<c>$X</c>, <c>${X}</c>) that have no value are added to <paramref name="unset"/>.
    /// </summary>
    public static string Expand(string word, Func<string, string?> lookup, char escape, ISet<string>? unset = null) =>
        new ShellWordLexer(word, lookup, escape, false, false, false, unset).ProcessStopOn(Eof, false).Result;

    /// <summary>As <see cref="Expand"/>, then split into words at unquoted spaces, including spaces that came from a value.</summary>
    public static IReadOnlyList<string> ExpandWords(string word, Func<string, string?> lookup, char escape, ISet<string>? unset = null) =>
        new ShellWordLexer(word, lookup, escape, false, false, false, unset).ProcessStopOn(Eof, false).Words;

    /// <summary>
    /// Splits a whole instruction into words keeping quotes, escapes and variables as written: how the parser looks for
    /// heredoc markers (<c>&lt;&lt;EOF</c>). The escape character here is always the backslash, as in BuildKit, and
    /// a line that cannot be split (an unclosed quote) has no words, so no heredocs.
    /// </summary>
    public static IReadOnlyList<string> SplitRaw(string line)
    {
        try
        {
            return new ShellWordLexer(line, static _ => null, '\\', true, true, true, null).ProcessStopOn(Eof, true).Words;
        }
        catch (ShellExpansionException)
        {
            return [];
        }
    }

    /// <summary>The words of a heredoc marker's name with quotes removed (<c>"EOF"</c> is EOF) and variables left alone.</summary>
    public static IReadOnlyList<string> SplitHeredocName(string name) =>
        new ShellWordLexer(name, static _ => null, '\\', false, false, true, null).ProcessStopOn(Eof, false).Words;

    private int Peek() => _pos < _text.Length ? _text[_pos] : Eof;

    private int Next() => _pos < _text.Length ? _text[_pos++] : Eof;

    private (string Result, IReadOnlyList<string> Words) ProcessStopOn(int stop, bool rawEscapes)
    {
        var result = new StringBuilder();
        var words = new WordCollector();
        var saved = _rawEscapes;
        _rawEscapes = rawEscapes;
        try
        {
            while (Peek() != Eof)
            {
                var ch = Peek();
                if (stop != Eof && ch == stop)
                {
                    Next();
                    return (result.ToString(), words.Finish());
                }
                if (ch == '$')
                {
                    var value = ProcessDollar();
                    result.Append(value);
                    words.AddExpanded(value);
                }
                else if (ch == '\'')
                {
                    var value = ProcessSingleQuote();
                    result.Append(value);
                    words.AddQuoted(value);
                }
                else if (ch == '"')
                {
                    var value = ProcessDoubleQuote();
                    result.Append(value);
                    words.AddQuoted(value);
                }
                else
                {
                    ch = Next();
                    if (ch == _escape)
                    {
                        if (_rawEscapes)
                        {
                            words.AddLiteral((char)ch);
                            result.Append((char)ch);
                        }
                        // The escape character makes the next one literal; at the very end it is dropped.
                        ch = Next();
                        if (ch == Eof)
                        {
                            break;
                        }
                        words.AddLiteral((char)ch);
                    }
                    else
                    {
                        words.AddChar((char)ch);
                    }
                    result.Append((char)ch);
                }
            }
            if (stop != Eof)
            {
                throw new ShellExpansionException($"unexpected end of statement while looking for matching {(char)stop}");
            }
            return (result.ToString(), words.Finish());
        }
        finally
        {
            _rawEscapes = saved;
        }
    }

    private string ProcessSingleQuote()
    {
        var result = new StringBuilder();
        Next();
        if (_rawQuotes)
        {
            result.Append('\'');
        }
        while (true)
        {
            var ch = Next();
            switch (ch)
            {
                case Eof:
                    throw new ShellExpansionException("unexpected end of statement while looking for matching single-quote");
                case '\'':
                    if (_rawQuotes)
                    {
                        result.Append('\'');
                    }
                    return result.ToString();
                default:
                    result.Append((char)ch);
                    break;
            }
        }
    }

    private string ProcessDoubleQuote()
    {
        var result = new StringBuilder();
        Next();
        if (_rawQuotes)
        {
            result.Append('"');
        }
        while (true)
        {
            var peek = Peek();
            if (peek == Eof)
            {
                throw new ShellExpansionException("unexpected end of statement while looking for matching double-quote");
            }
            if (peek == '"')
            {
                Next();
                if (_rawQuotes)
                {
                    result.Append('"');
                }
                return result.ToString();
            }
            if (peek == '$')
            {
                result.Append(ProcessDollar());
                continue;
            }
            var ch = Next();
            if (ch == _escape)
            {
                if (_rawEscapes)
                {
                    result.Append((char)ch);
                }
                var after = Peek();
                if (after == Eof)
                {
                    continue;
                }
                // Only " $ and the escape character itself can be escaped inside double quotes; otherwise it stays.
                if (after == '"' || after == '$' || after == _escape)
                {
                    ch = Next();
                }
            }
            result.Append((char)ch);
        }
    }

    private string ProcessDollar()
    {
        Next();
        if (Peek() != '{')
        {
            var plain = ProcessName();
            if (plain.Length == 0)
            {
                return "$";
            }
            var value = Lookup(plain, plainReference: true);
            if (value is null && _skipUnset)
            {
                return "$" + plain;
            }
            return value ?? "";
        }

        Next();
        switch (Peek())
        {
            case Eof:
                throw new ShellExpansionException("syntax error: missing '}'");
            case '{' or '}' or ':':
                throw new ShellExpansionException("syntax error: bad substitution");
        }
        var name = ProcessName();
        var ch = Next();
        var modifier = ch == Eof ? "" : ((char)ch).ToString();
        switch (ch)
        {
            case '}':
                var value = Lookup(name, plainReference: true);
                if (value is null && _skipUnset)
                {
                    return "${" + name + "}";
                }
                return value ?? "";
            case ':':
                ch = Next();
                modifier += ch == Eof ? "" : ((char)ch).ToString();
                return Modify(name, ch, modifier, nullIsUnset: true);
            case '+' or '-' or '?' or '#' or '%':
                return Modify(name, ch, modifier, nullIsUnset: false);
            case '/':
                return Replace(name);
            case Eof:
                throw new ShellExpansionException("syntax error: missing '}'");
            default:
                throw new ShellExpansionException($"unsupported modifier ({modifier}) in substitution");
        }
    }

    private string Modify(string name, int modifierChar, string modifier, bool nullIsUnset)
    {
        string word;
        try
        {
            // Patterns keep their escapes so that \* stays a literal star.
            word = ProcessStopOn('}', rawEscapes: modifierChar is '#' or '%').Result;
        }
        catch (ShellExpansionException) when (Peek() == Eof)
        {
            throw new ShellExpansionException("syntax error: missing '}'");
        }

        var value = Lookup(name, plainReference: false);
        var set = value is not null;
        if (_skipUnset && !set)
        {
            return "${" + name + modifier + word + "}";
        }
        var empty = !set || (nullIsUnset && value!.Length == 0);
        switch (modifierChar)
        {
            case '-':
                return empty ? word : value!;
            case '+':
                return empty ? "" : word;
            case '?':
                if (!set)
                {
                    throw new ShellExpansionException($"{name}: {(word.Length > 0 ? word : "is not allowed to be unset")}", missingValue: true);
                }
                if (nullIsUnset && value!.Length == 0)
                {
                    throw new ShellExpansionException($"{name}: {(word.Length > 0 ? word : "is not allowed to be empty")}", missingValue: true);
                }
                return value!;
            case '%' or '#':
                var greedy = word.Length > 0 && word[0] == modifierChar;
                if (greedy)
                {
                    word = word[1..];
                }
                return modifierChar == '%' ? ShellPattern.TrimSuffix(word, value ?? "", greedy) : ShellPattern.TrimPrefix(word, value ?? "", greedy);
            default:
                throw new ShellExpansionException($"unsupported modifier ({modifier}) in substitution");
        }
    }

    private string Replace(string name)
    {
        var all = Peek() == '/';
        if (all)
        {
            Next();
        }
        string pattern;
        try
        {
            pattern = ProcessStopOn('/', rawEscapes: true).Result;
        }
        catch (ShellExpansionException) when (Peek() == Eof)
        {
            throw new ShellExpansionException("syntax error: missing '/' in ${}");
        }
        string replacement;
        try
        {
            replacement = ProcessStopOn('}', rawEscapes: true).Result;
        }
        catch (ShellExpansionException) when (Peek() == Eof)
        {
            throw new ShellExpansionException("syntax error: missing '}'");
        }

        var value = Lookup(name, plainReference: false);
        if (value is null && _skipUnset)
        {
            return "${" + name + "/" + pattern + "/" + replacement + "}";
        }
        var regex = ShellPattern.ToRegex(pattern, greedy: true, anchored: false);
        value ??= "";
        if (all)
        {
            return regex.Replace(value, _ => replacement);
        }
        var match = regex.Match(value);
        return match.Success ? value[..match.Index] + replacement + value[(match.Index + match.Length)..] : value;
    }

    /// <summary>A name: letters, digits and underscores; or all digits (<c>$1</c>); or one special parameter (<c>$@</c>, <c>$$</c>…).</summary>
    private string ProcessName()
    {
        var name = new StringBuilder();
        while (Peek() != Eof)
        {
            var ch = (char)Peek();
            if (name.Length == 0 && char.IsDigit(ch))
            {
                while (Peek() != Eof && char.IsDigit((char)Peek()))
                {
                    name.Append((char)Next());
                }
                return name.ToString();
            }
            if (name.Length == 0 && ch is '@' or '*' or '#' or '?' or '-' or '$' or '!' or '0')
            {
                Next();
                return ch.ToString();
            }
            if (!char.IsLetter(ch) && !char.IsDigit(ch) && ch != '_')
            {
                break;
            }
            name.Append((char)Next());
        }
        return name.ToString();
    }

    private string? Lookup(string name, bool plainReference)
    {
        var value = _lookup(name);
        if (value is null && plainReference)
        {
            _unset?.Add(name);
        }
        return value;
    }

    /// <summary>
    /// Splits the expansion into words as BuildKit does: unquoted spaces (from the text or from a value) separate
    /// words, quoted text and escaped characters never do, and an empty quoted string alone makes no word.
    /// </summary>
    private sealed class WordCollector
    {
        private readonly List<string> _words = [];
        private readonly StringBuilder _word = new();
        private bool _inWord;

        public void AddChar(char ch)
        {
            if (GoWhitespace.IsSpace(ch))
            {
                if (_inWord && _word.Length != 0)
                {
                    _words.Add(_word.ToString());
                    _word.Clear();
                    _inWord = false;
                }
                return;
            }
            AddLiteral(ch);
        }

        public void AddLiteral(char ch)
        {
            _word.Append(ch);
            _inWord = true;
        }

        public void AddExpanded(string text)
        {
            foreach (var ch in text)
            {
                AddChar(ch);
            }
        }

        public void AddQuoted(string text)
        {
            _word.Append(text);
            _inWord = true;
        }

        public List<string> Finish()
        {
            if (_word.Length > 0)
            {
                _words.Add(_word.ToString());
                _word.Clear();
                _inWord = false;
            }
            return _words;
        }
    }
}
