using System.Text;
using System.Text.RegularExpressions;

namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// Turns Dockerfile text into instructions the way BuildKit's parser reads lines: parser directives
/// (<c># escape=`</c>, <c># syntax=…</c>) only at the very top; <c>#</c> comment lines; an escape character at the
/// end of a line (trailing blanks allowed) joins the next one; comment lines and empty lines inside such a
/// continuation are skipped; heredoc bodies after RUN, COPY and ADD (<c>RUN &lt;&lt;EOF</c> … <c>EOF</c>) are passed over.
/// </summary>
internal static partial class InstructionScanner
{
    public static IReadOnlyList<Instruction> Scan(string text, string path, List<DockerfileWarning> warnings, out char escape, out string? syntax)
    {
        var lines = SplitLines(text);
        escape = '\\';
        syntax = null;
        var directivesDone = false;
        var seenDirectives = new HashSet<string>();
        var instructions = new List<Instruction>();

        var next = 0;
        while (next < lines.Count)
        {
            var lineNumber = next + 1;
            var raw = lines[next++];
            var lead = 0;
            while (lead < raw.Length && GoWhitespace.IsSpace(raw[lead]))
            {
                lead++;
            }
            var token = raw[lead..];
            if (!directivesDone)
            {
                directivesDone = !Directive(token, lineNumber, path, seenDirectives, ref escape, ref syntax);
            }
            if (token.StartsWith('#'))
            {
                continue;
            }

            var builder = new LineBuilder(lineNumber);
            var (kept, continued) = TrimContinuation(token, escape);
            if (!continued && kept.Length == 0)
            {
                continue;
            }
            builder.Append(raw, lead, lead + kept.Length, lineNumber);
            var endLine = lineNumber;
            var emptyContinuation = false;
            while (continued && next < lines.Count)
            {
                var physical = lines[next++];
                endLine = next;
                var (first, _) = GoWhitespace.Trim(physical, 0, physical.Length);
                if (first < physical.Length && physical[first] == '#')
                {
                    continue;
                }
                if (first == physical.Length)
                {
                    emptyContinuation = true;
                    continue;
                }
                (kept, continued) = TrimContinuation(physical, escape);
                builder.Append(physical, 0, kept.Length, endLine);
            }

            var logical = builder.Build();
            logical.EndLine = endLine;
            if (emptyContinuation)
            {
                warnings.Add(new DockerfileWarning(lineNumber, lead + 1,
                    $"the instruction continued on line {lineNumber} goes on past an empty line; Docker skips the empty line but warns that this will become an error: remove the empty line, or end the instruction before it"));
            }
            var instruction = Instruction.Create(logical, 0, logical.Text.Length);
            if (instruction.CanContainHeredoc() && logical.Text.Contains("<<", StringComparison.Ordinal))
            {
                next = SkipHeredocs(instruction, lines, next, path);
                logical.EndLine = next;
            }
            instructions.Add(instruction);
        }
        return instructions;
    }

    /// <summary>Lines as Go's scanner yields them: split at \n, trailing \r removed, a BOM before the first one dropped.</summary>
    private static List<string> SplitLines(string text)
    {
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (text.EndsWith('\n'))
        {
            lines.RemoveAt(lines.Count - 1);
        }
        return lines;
    }

    /// <summary>True when the line is a parser directive; the first line that is not one ends them.</summary>
    private static bool Directive(string line, int lineNumber, string path, HashSet<string> seen, ref char escape, ref string? syntax)
    {
        var match = DirectivePattern().Match(line);
        if (!match.Success)
        {
            return false;
        }
        var name = match.Groups[1].Value.ToLowerInvariant();
        if (name is not ("escape" or "syntax" or "check"))
        {
            // An unknown directive is an ordinary comment, and ends the directives.
            return false;
        }
        var value = match.Groups[2].Value;
        if (!seen.Add(name))
        {
            throw new DockerfileException($"only one '# {name}=' parser directive can be used: remove this one, or the one above it", path, lineNumber, 1);
        }
        if (name == "escape")
        {
            if (value is not ("\\" or "`"))
            {
                throw new DockerfileException($"invalid escape character '{value}' in the '# escape=' parser directive: Docker accepts only \\ (the default) and ` (write '# escape=`')",
                    path, lineNumber, match.Groups[2].Index + 1);
            }
            escape = value[0];
        }
        else if (name == "syntax")
        {
            syntax = value;
        }
        return true;
    }

    /// <summary>
    /// The line without a continuation escape at its end (blanks after it allowed), and whether there was one. An
    /// escaped escape character (<c>\\</c>) at the end is text, not a continuation.
    /// </summary>
    private static (string Kept, bool Continued) TrimContinuation(string line, char escape)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] is ' ' or '\t')
        {
            end--;
        }
        if (end == 0 || line[end - 1] != escape)
        {
            return (line, false);
        }
        if (end == 1)
        {
            return ("", true);
        }
        return line[end - 2] == escape ? (line, false) : (line[..(end - 1)], true);
    }

    /// <summary>Passes over the bodies of the heredocs the instruction opens, in order; returns the index of the next line.</summary>
    private static int SkipHeredocs(Instruction instruction, List<string> lines, int next, string path)
    {
        foreach (var word in ShellWordLexer.SplitRaw(instruction.Source.Text))
        {
            var match = HeredocPattern().Match(word);
            if (!match.Success || match.Groups[3].Length == 0)
            {
                continue;
            }
            IReadOnlyList<string> names;
            try
            {
                names = ShellWordLexer.SplitHeredocName(match.Groups[3].Value);
            }
            catch (ShellExpansionException e)
            {
                throw instruction.Error(path, instruction.ArgsStart, $"the heredoc marker '{word}' cannot be read: {e.Message}");
            }
            if (names.Count != 1)
            {
                continue;
            }
            var name = names[0];
            var chomp = match.Groups[2].Value == "-";
            var terminated = false;
            while (next < lines.Count)
            {
                var line = lines[next++];
                if ((chomp ? line.TrimStart('\t') : line) == name)
                {
                    terminated = true;
                    break;
                }
            }
            if (!terminated)
            {
                throw instruction.Error(path, instruction.KeywordOffset,
                    $"the heredoc '{word}' of this {instruction.Display} is never closed, so it takes in the rest of the file: add a line that is exactly '{name}' where its text ends");
            }
        }
        return next;
    }

    [GeneratedRegex(@"^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$", RegexOptions.CultureInvariant)]
    private static partial Regex DirectivePattern();

    [GeneratedRegex(@"^([0-9]*)<<(-?)([^<]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex HeredocPattern();

    /// <summary>Collects the characters of a logical line with the file position each one came from.</summary>
    private sealed class LineBuilder(int startLine)
    {
        private readonly StringBuilder _text = new();
        private readonly List<int> _lines = [];
        private readonly List<int> _columns = [];

        public void Append(string physical, int from, int to, int lineNumber)
        {
            for (var i = from; i < to; i++)
            {
                _text.Append(physical[i]);
                _lines.Add(lineNumber);
                _columns.Add(i + 1);
            }
        }

        public LogicalLine Build() => new(_text.ToString(), [.. _lines], [.. _columns], startLine);
    }
}
