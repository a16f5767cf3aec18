namespace Autonomy.Server.Config.Formats;

/// <summary>
/// Python's notion of whitespace, which <c>configparser</c> strips lines, keys and values by: .NET's, plus the
/// separators U+001C to U+001F that <c>str.isspace()</c> also counts.
/// </summary>
internal static class PythonText
{
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    public static string Strip(string text) => RStrip(text[IndentOf(text)..]);

    public static string RStrip(string text)
    {
        var end = text.Length;
        while (end > 0 && IsSpace(text[end - 1]))
        {
            end--;
        }
        return text[..end];
    }

    /// <summary>The offset of the first character that is not whitespace, or the length of a blank text.</summary>
    public static int IndentOf(string text)
    {
        var i = 0;
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }
        return i;
    }
}
