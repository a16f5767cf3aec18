namespace Autonomy.Server.Messaging.Storage;

/// <summary>Where a record lives: segment numbers grow from 1, <see cref="Offset"/> is the byte offset of the record's start.</summary>
public readonly record struct LogPosition(long Segment, long Offset)
{
    public override string ToString() => $"{Segment}:{Offset}";
}
