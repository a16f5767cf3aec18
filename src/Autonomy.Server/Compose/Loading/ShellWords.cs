using System.Text;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// Splits a command written as one text into words the way a POSIX shell would, without running
/// one: spaces separate words, single quotes are literal, double quotes keep spaces and honour
/// backslash before <c>" \ $ `</c>, and a backslash outside quotes escapes the next character.
/// This is how compose turns <c>command: "echo 'a b'"</c> into <c>["echo", "a b"]</c>.
/// </summary>
internal static class ShellWords
{
    /// <summary>The words, or null with <paramref name="error"/> set when a quote is not closed.</summary>
    public static List<string>? Split(string text, out string? error)
    {
        error = null;
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }
                    break;
                case '\\':
                    inWord = true;
                    if (i + 1 < text.Length)
                    {
                        i++;
                        // A backslash before a line break joins the lines, as in a shell.
                        if (text[i] != '\n')
                        {
                            word.Append(text[i]);
                        }
                    }
                    break;
                case '\'':
                    inWord = true;
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        error = $"the single quote at character {i + 1} is never closed";
                        return null;
                    }
                    word.Append(text, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    inWord = true;
                    var closed = false;
                    for (i++; i < text.Length; i++)
                    {
                        if (text[i] == '"')
                        {
                            closed = true;
                            break;
                        }
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`' or '\n')
                        {
                            i++;
                            if (text[i] != '\n')
                            {
                                word.Append(text[i]);
                            }
                            continue;
                        }
                        word.Append(text[i]);
                    }
                    if (!closed)
                    {
                        error = "a double quote is never closed";
                        return null;
                    }
                    break;
                default:
                    inWord = true;
                    word.Append(c);
                    break;
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }
}
