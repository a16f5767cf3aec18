namespace Autonomy.Server.Messaging.Storage;

/// <summary>Counters of a message log since it was opened (the first four describe it now).</summary>
/// <param name="Segments">Segment files the log holds.</param>
/// <param name="Bytes">Bytes of those files.</param>
/// <param name="LiveReferences">References held through Retain and not released.</param>
/// <param name="PendingDurableAppends">Durable appends placed and not yet acknowledged (waiting to be written or synced).</param>
/// <param name="ReplayedRecords">Whole records found and replayed by recovery.</param>
/// <param name="Records">Records appended since the log was opened.</param>
/// <param name="Batches">Batches the writer wrote (each one write per segment it touched).</param>
/// <param name="Fsyncs">fsyncs of segment files (group commits and new segments' headers).</param>
/// <param name="DirectorySyncs">fsyncs of the log's directory (new segments, deletions, recovery).</param>
/// <param name="DeletedSegments">Segments deleted because nothing needed them any more.</param>
/// <param name="TruncatedBytes">Bytes of torn or corrupt tails that recovery cut off.</param>
public sealed record MessageLogStats(
    int Segments,
    long Bytes,
    long LiveReferences,
    long PendingDurableAppends,
    long ReplayedRecords,
    long Records,
    long Batches,
    long Fsyncs,
    long DirectorySyncs,
    long DeletedSegments,
    long TruncatedBytes);
