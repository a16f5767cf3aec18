using System.Text;
using System.Text.RegularExpressions;

namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// The wildcard patterns of <c>${VAR#pattern}</c>, <c>${VAR%pattern}</c> and <c>${VAR/pattern/replacement}</c>:
/// <c>*</c> is any run of characters, <c>?</c> one character, <c>\</c> makes either literal. No bracket expressions,
/// as in BuildKit.
/// </summary>
internal static class ShellPattern
{
    public static Regex ToRegex(string pattern, bool greedy, bool anchored)
    {
        var regex = new StringBuilder(pattern.Length + 4);
        if (anchored)
        {
            regex.Append('^');
        }
        var star = greedy ? ".*" : ".*?";
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(star);
                    continue;
                case '?':
                    regex.Append('.');
                    continue;
                case '\\':
                    // "\}" and "\/" only protect the character from ending the ${…}; the backslash is not part of the pattern.
                    if (i + 1 < pattern.Length && pattern[i + 1] is '}' or '/')
                    {
                        continue;
                    }
                    i++;
                    if (i >= pattern.Length || pattern[i] is not ('*' or '?' or '\\'))
                    {
                        var escaped = i < pattern.Length ? pattern[i].ToString() : "";
                        throw new ShellExpansionException($"invalid pattern ({pattern}) in substitution: invalid escape '\\{escaped}'");
                    }
                    regex.Append('\\');
                    c = pattern[i];
                    break;
                case '[' or ']' or '{' or '}' or '.' or '+' or '(' or ')' or '|' or '^' or '$':
                    regex.Append('\\');
                    break;
            }
            regex.Append(c);
        }
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary><c>${VAR#pattern}</c> (shortest) and <c>${VAR##pattern}</c> (longest): the value without the matching prefix.</summary>
    public static string TrimPrefix(string pattern, string value, bool greedy)
    {
        var match = ToRegex(pattern, greedy, anchored: true).Match(value);
        return match.Success ? value[(match.Index + match.Length)..] : value;
    }

    /// <summary>
    /// <c>${VAR%pattern}</c> and <c>${VAR%%pattern}</c>: a regular expression cannot look for the shortest rightmost
    /// match, so both the value and the pattern are reversed and the prefix is trimmed instead.
    /// </summary>
    public static string TrimSuffix(string pattern, string value, bool greedy) =>
        Reverse(TrimPrefix(ReversePattern(pattern), Reverse(value), greedy));

    /// <summary>Reverses a pattern but keeps each escape in front of the character it escapes: <c>a\*c</c> becomes <c>c\*a</c>.</summary>
    private static string ReversePattern(string pattern)
    {
        var units = new List<string>();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                units.Add(pattern.Substring(i, 2));
                i++;
            }
            else
            {
                units.Add(pattern[i].ToString());
            }
        }
        units.Reverse();
        return string.Concat(units);
    }

    private static string Reverse(string text)
    {
        var runes = text.EnumerateRunes().ToList();
        runes.Reverse();
        return string.Concat(runes.Select(r => r.ToString()));
    }
}
