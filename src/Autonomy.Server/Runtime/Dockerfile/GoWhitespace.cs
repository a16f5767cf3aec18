namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// The two notions of white space BuildKit's parser uses, so that words split exactly where Docker splits them
/// (.NET's <see cref="char.IsWhiteSpace(char)"/> also counts U+001C..U+001F, Go does not).
/// </summary>
internal static class GoWhitespace
{
    /// <summary>Go's <c>unicode.IsSpace</c>.</summary>
    public static bool IsSpace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u0085' or '\u00A0' => true,
        _ => c > '\u00FF' && char.IsWhiteSpace(c),
    };

    /// <summary>The parser's <c>[\t\v\f\r ]</c>, which separates an instruction from its arguments and EXPOSE/FROM words.</summary>
    public static bool IsBlank(char c) => c is '\t' or '\v' or '\f' or '\r' or ' ';

    /// <summary>The bounds of <paramref name="text"/>[start..end) without leading and trailing <see cref="IsSpace"/>.</summary>
    public static (int Start, int End) Trim(string text, int start, int end)
    {
        while (start < end && IsSpace(text[start]))
        {
            start++;
        }
        while (end > start && IsSpace(text[end - 1]))
        {
            end--;
        }
        return (start, end);
    }
}
