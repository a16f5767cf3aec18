using System.Text;

namespace Autonomy.Server.Compose.Interpolation;

/// <summary>
/// Resolves the variables of a Compose template with the rules of the Compose Specification, as compose-go's
/// <c>template</c> package applies them (quirks included: users' files are written against that behaviour).
/// </summary>
/// <remarks>
/// <para>
/// <c>$$</c> is a literal <c>$</c>, and a <c>$</c> followed by neither <c>$</c>, <c>{</c> nor a name stays as it is
/// (<c>a $ string</c>, <c>^REGEX$</c>, <c>$}</c>). A name is ASCII letters, digits and <c>_</c>, not starting with a
/// digit: <c>$VAR</c> takes the longest such name, <c>${VAR}</c> is delimited. An unset variable resolves to "".
/// </para>
/// <para>
/// In braces the name may be followed by one operator and a value: <c>:-</c> / <c>-</c> give the value when the
/// variable is unset or empty / unset; <c>:+</c> / <c>+</c> give it when the variable is set and non-empty / set (and
/// "" otherwise); <c>:?</c> / <c>?</c> fail with it as the message when the variable is unset or empty / unset.
/// The value is itself a template (<c>${A:-${B:-x}}</c>), resolved only when it is used.
/// </para>
/// </remarks>
internal static class Interpolator
{
    // Long enough to recognise the expression in an error message, short enough to keep the message one line.
    private const int MaxSnippetLength = 40;

    /// <summary>Resolves <paramref name="template"/>; <paramref name="lookup"/> returns null for an unset variable.</summary>
    /// <exception cref="InterpolationException">The syntax is wrong, or a required variable has no value.</exception>
    public static string Substitute(string template, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(lookup);

        if (!template.Contains('$'))
        {
            return template;
        }
        var output = new StringBuilder(template.Length);
        Resolve(template, 0, template.Length, lookup, output);
        return output.ToString();
    }

    // Resolves template[from..to) into output. Defaults are resolved by the same method on their own range rather than on
    // a copy, so that an error offset is always an offset in the outermost template.
    private static void Resolve(string template, int from, int to, Func<string, string?> lookup, StringBuilder output)
    {
        var position = from;
        while (position < to)
        {
            var dollar = template.IndexOf('$', position, to - position);
            if (dollar < 0)
            {
                output.Append(template, position, to - position);
                return;
            }
            output.Append(template, position, dollar - position);
            position = ResolveDollar(template, dollar, to, lookup, output);
        }
    }

    // Resolves the expression that starts at the '$' at `start` and returns the offset just past it.
    private static int ResolveDollar(string template, int start, int to, Func<string, string?> lookup, StringBuilder output)
    {
        var next = start + 1;
        if (next < to)
        {
            var c = template[next];
            if (c == '$')
            {
                output.Append('$');
                return next + 1;
            }
            if (IsNameStart(c))
            {
                var end = NameEnd(template, next, to);
                output.Append(lookup(template[next..end]));
                return end;
            }
            if (c == '{')
            {
                return ResolveBraced(template, start, to, lookup, output);
            }
        }
        output.Append('$');
        return next;
    }

    private static int ResolveBraced(string template, int start, int to, Func<string, string?> lookup, StringBuilder output)
    {
        var nameStart = start + 2;
        if (nameStart >= to || !IsNameStart(template[nameStart]))
        {
            throw MissingName(template, start, to);
        }
        var nameEnd = NameEnd(template, nameStart, to);
        var name = template[nameStart..nameEnd];
        if (nameEnd < to && template[nameEnd] == '}')
        {
            output.Append(lookup(name));
            return nameEnd + 1;
        }

        var operatorEnd = OperatorEnd(template, nameEnd, to);
        if (operatorEnd < 0)
        {
            throw UnexpectedAfterName(template, start, to, name, nameEnd);
        }
        var op = template[nameEnd..operatorEnd];
        var closing = FindClosingBrace(template, start, operatorEnd, to);
        if (closing < 0)
        {
            throw NotClosed(template, start, to, name, op);
        }

        var value = lookup(name);
        switch (op)
        {
            case ":-" when string.IsNullOrEmpty(value):
            case "-" when value is null:
            case ":+" when !string.IsNullOrEmpty(value):
            case "+" when value is not null:
                Resolve(template, operatorEnd, closing, lookup, output);
                break;
            case ":+":
            case "+":
                // Not taken: the variable is unset, or empty for ":+", and the result is "".
                break;
            case ":?" when string.IsNullOrEmpty(value):
            case "?" when value is null:
                throw MissingRequired(template, start, operatorEnd, closing, name, lookup);
            default:
                output.Append(value);
                break;
        }
        return closing + 1;
    }

    // The offset past the operator that follows the name, or -1 when what follows is no operator.
    private static int OperatorEnd(string template, int nameEnd, int to)
    {
        if (nameEnd >= to)
        {
            return -1;
        }
        var c = template[nameEnd];
        if (c == ':')
        {
            return nameEnd + 1 < to && template[nameEnd + 1] is '-' or '+' or '?' ? nameEnd + 2 : -1;
        }
        return c is '-' or '+' or '?' ? nameEnd + 1 : -1;
    }

    // Finds the '}' that ends the expression starting at `start`, the way compose-go does, so that braces inside values
    // (${JSON:-{"a":1}}, ${A:-${B:-x}_y}) resolve as they do in docker compose. Its pattern first takes the text up to the
    // last '}' before the end of the line, then a counter pairs the braces in that text, stepping over the character that
    // follows each '{'; when the counter finds no pair, the expression runs to that last '}'. Returns -1 when there is no
    // '}' on the line.
    private static int FindClosingBrace(string template, int start, int operatorEnd, int to)
    {
        var lineEnd = template.IndexOf('\n', operatorEnd, to - operatorEnd);
        if (lineEnd < 0)
        {
            lineEnd = to;
        }
        if (lineEnd == operatorEnd)
        {
            return -1;
        }
        var lastBrace = template.LastIndexOf('}', lineEnd - 1, lineEnd - operatorEnd);
        if (lastBrace < 0)
        {
            return -1;
        }

        var depth = 0;
        for (var i = start; i <= lastBrace; i++)
        {
            if (template[i] == '}' && --depth == 0)
            {
                return i;
            }
            if (template[i] == '{')
            {
                depth++;
                i++;
            }
        }
        return lastBrace;
    }

    private static bool IsNameStart(char c) => c is '_' or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private static int NameEnd(string template, int nameStart, int to)
    {
        var end = nameStart + 1;
        while (end < to && (IsNameStart(template[end]) || char.IsAsciiDigit(template[end])))
        {
            end++;
        }
        return end;
    }

    private static InterpolationException MissingRequired(
        string template, int start, int messageStart, int closing, string name, Func<string, string?> lookup)
    {
        // The user's message is a template too (${VAR:?set ${OTHER} first}); an error inside it wins, as in compose-go.
        var reason = new StringBuilder();
        Resolve(template, messageStart, closing, lookup, reason);
        var message = reason.Length == 0
            ? $"required variable {name} is missing a value"
            : $"required variable {name} is missing a value: {reason}";
        return new InterpolationException(message, start, name);
    }

    private static InterpolationException MissingName(string template, int start, int to)
    {
        var nameStart = start + 2;
        var snippet = Snippet(template, start, to);
        if (nameStart >= to)
        {
            return new InterpolationException(
                $"invalid interpolation \"{snippet}\": \"${{\" must be followed by a variable name and \"}}\"; write ${{NAME}}, or $$ for a literal $",
                start,
                variable: null);
        }
        if (template[nameStart] == '}')
        {
            return new InterpolationException(
                $"invalid interpolation \"{snippet}\": the variable name is missing; write ${{NAME}}, or $$ for a literal $",
                start,
                variable: null);
        }
        return new InterpolationException(
            $"invalid interpolation \"{snippet}\": a variable name must follow \"${{\" directly and start with a letter or '_', "
                + $"not {Describe(template[nameStart])}; write ${{NAME}}, or $$ for a literal $",
            start,
            variable: null);
    }

    private static InterpolationException UnexpectedAfterName(string template, int start, int to, string name, int nameEnd)
    {
        var snippet = Snippet(template, start, to);
        if (nameEnd >= to)
        {
            return new InterpolationException(
                $"invalid interpolation \"{snippet}\": the closing \"}}\" is missing; write ${{{name}}}",
                start,
                name);
        }
        return new InterpolationException(
            $"invalid interpolation \"{snippet}\": {Describe(template[nameEnd])} cannot follow the variable name {name}; "
                + $"write ${{{name}}}, or ${{{name}:-default}} with one of the operators :- - :+ + :? ?",
            start,
            name);
    }

    private static InterpolationException NotClosed(string template, int start, int to, string name, string op) =>
        new(
            $"invalid interpolation \"{Snippet(template, start, to)}\": the expression has no closing \"}}\" on its line; "
                + $"write ${{{name}{op}value}} on one line",
            start,
            name);

    private static string Snippet(string template, int start, int to)
    {
        var lineEnd = template.IndexOf('\n', start, to - start);
        var end = lineEnd < 0 ? to : lineEnd;
        return end - start <= MaxSnippetLength ? template[start..end] : template.Substring(start, MaxSnippetLength) + "...";
    }

    private static string Describe(char c) => c switch
    {
        ' ' => "a space",
        '\t' => "a tab",
        '\n' => "a line break",
        '\r' => "a carriage return",
        _ => $"'{c}'",
    };
}
