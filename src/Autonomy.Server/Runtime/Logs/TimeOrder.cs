namespace Autonomy.Server.Runtime.Logs;

/// <summary>Merging lines from several replicas or services into one history.</summary>
internal static class TimeOrder
{
    /// <summary>
    /// The newest <paramref name="count"/> lines, oldest first. The sort is stable, so lines of one replica that share
    /// a timestamp (a burst within a millisecond) keep the order they were written in.
    /// </summary>
    public static List<LogLine> Last(IEnumerable<LogLine> lines, int count)
    {
        var ordered = lines.OrderBy(l => l.Time).ToList();
        return ordered.Count <= count ? ordered : ordered.GetRange(ordered.Count - count, count);
    }
}
