namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// One instruction as the parser sees it: its physical lines joined (continuations removed, comment lines inside
/// them skipped), with the file line and column of every character so that errors point into the file.
/// </summary>
internal sealed class LogicalLine(string text, int[] lines, int[] columns, int startLine)
{
    public string Text { get; } = text;

    public int StartLine { get; } = startLine;

    /// <summary>The last file line of the instruction, heredoc bodies included.</summary>
    public int EndLine { get; set; } = startLine;

    /// <summary>The 1-based file line and column of the character at <paramref name="offset"/> (just past the last one at the end).</summary>
    public (int Line, int Column) Locate(int offset)
    {
        if (lines.Length == 0)
        {
            return (StartLine, 1);
        }
        if (offset >= lines.Length)
        {
            return (lines[^1], columns[^1] + 1);
        }
        offset = Math.Max(0, offset);
        return (lines[offset], columns[offset]);
    }
}
