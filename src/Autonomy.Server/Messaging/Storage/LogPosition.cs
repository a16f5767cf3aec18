namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// Where a record lives: segment numbers grow from 1, <see cref="Offset"/> is the byte offset of the record's start.
/// Positions order as the log does.
/// </summary>
public readonly record struct LogPosition(long Segment, long Offset) : IComparable<LogPosition>
{
    public int CompareTo(LogPosition other) =>
        Segment != other.Segment ? Segment.CompareTo(other.Segment) : Offset.CompareTo(other.Offset);

    public static bool operator <(LogPosition left, LogPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(LogPosition left, LogPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(LogPosition left, LogPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(LogPosition left, LogPosition right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Segment}:{Offset}";
}
