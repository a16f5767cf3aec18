namespace Autonomy.Server.Config.Formats;

/// <summary>
/// The text of an imported file without its byte order mark, and the positions of its lines, so that an offset can be
/// reported as a line and column.
/// </summary>
/// <remarks>
/// A line ends at <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>: the line breaks Python's and Java's readers accept, and
/// what an editor shows.
/// </remarks>
internal sealed class SourceText
{
    private readonly List<int> _lineStarts = [0];

    public SourceText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Editors do not show the byte order mark, so it takes no column.
        Text = text.StartsWith('\uFEFF') ? text[1..] : text;
        for (var i = 0; i < Text.Length; i++)
        {
            if (Text[i] == '\n' || (Text[i] == '\r' && (i + 1 == Text.Length || Text[i + 1] != '\n')))
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public string Text { get; }

    public int LineCount => _lineStarts.Count;

    /// <summary>The 1-based line and column of <paramref name="offset"/>.</summary>
    public (int Line, int Column) PositionOf(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        if (index < 0)
        {
            index = ~index - 1;
        }
        return (index + 1, offset - _lineStarts[index] + 1);
    }

    /// <summary>The text of 1-based <paramref name="line"/>, without its line break.</summary>
    public string Line(int line)
    {
        var start = _lineStarts[line - 1];
        var end = line < _lineStarts.Count ? _lineStarts[line] : Text.Length;
        if (end > start && Text[end - 1] == '\n')
        {
            end--;
        }
        if (end > start && Text[end - 1] == '\r')
        {
            end--;
        }
        return Text[start..end];
    }
}
