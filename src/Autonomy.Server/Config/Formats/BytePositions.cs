using System.Text;

namespace Autonomy.Server.Config.Formats;

/// <summary>
/// Turns the byte offsets of the UTF-8 text System.Text.Json reads into the lines and columns of the text, columns
/// counted in UTF-16 code units like every other format's.
/// </summary>
/// <remarks>Lines end at '\n' only, as Utf8JsonReader counts them.</remarks>
internal sealed class BytePositions(byte[] bytes)
{
    private readonly List<int> _lineStarts = LineStarts(bytes);

    /// <summary>The 1-based line and column of a byte offset.</summary>
    public (int Line, int Column) Of(long byteOffset)
    {
        var offset = (int)Math.Clamp(byteOffset, 0, bytes.Length);
        var index = _lineStarts.BinarySearch(offset);
        if (index < 0)
        {
            index = ~index - 1;
        }
        var start = _lineStarts[index];
        return (index + 1, Encoding.UTF8.GetCharCount(bytes, start, offset - start) + 1);
    }

    /// <summary>The byte offset of a 0-based line and byte position in it, as a <c>JsonException</c> gives them.</summary>
    public int OffsetOf(int line, int bytePositionInLine)
    {
        var start = _lineStarts[Math.Clamp(line, 0, _lineStarts.Count - 1)];
        return Math.Min(start + bytePositionInLine, bytes.Length);
    }

    private static List<int> LineStarts(byte[] bytes)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }
        return starts;
    }
}
