namespace Autonomy.Server.Runtime.Logs;

/// <summary>The last lines of one service, kept in memory so that the common tail never touches the disk.</summary>
internal sealed class LogRing
{
    private readonly Lock _gate = new();
    private readonly LogLine[] _lines;
    private int _next;
    private int _count;

    public LogRing(int capacity)
    {
        _lines = new LogLine[capacity];
    }

    public void Add(LogLine line)
    {
        if (_lines.Length == 0)
        {
            return;
        }
        lock (_gate)
        {
            _lines[_next] = line;
            _next = (_next + 1) % _lines.Length;
            _count = Math.Min(_count + 1, _lines.Length);
        }
    }

    /// <summary>Up to <paramref name="count"/> of the newest lines, oldest first.</summary>
    public List<LogLine> TakeLast(int count)
    {
        lock (_gate)
        {
            var take = Math.Min(count, _count);
            var result = new List<LogLine>(take);
            for (var i = take; i > 0; i--)
            {
                result.Add(_lines[(_next - i + _lines.Length) % _lines.Length]);
            }
            return result;
        }
    }
}
