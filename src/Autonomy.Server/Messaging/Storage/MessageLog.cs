namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// The broker's segmented append-only log: records framed with length and CRC32C, group-committed fsyncs, recovery
/// that cuts a torn tail, and segments deleted once nothing refers to them.
/// </summary>
public sealed partial class MessageLog : IAsyncDisposable
{
    /// <summary>Hands a recovered record to its owner; the payload is only valid during the call.</summary>
    public delegate void RecordReplay(LogPosition position, ReadOnlySpan<byte> payload);

    private MessageLog()
    {
    }

    /// <summary>
    /// Opens (creating if needed) and recovers the log in <paramref name="directory"/>: every whole record, in log
    /// order, is handed to <paramref name="replay"/> before the returned task completes; a torn or corrupt tail is
    /// truncated (and synced) first.
    /// </summary>
    public static Task<MessageLog> OpenAsync(string directory, ILogFileSystem files, MessageLogOptions options,
        RecordReplay replay, CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>
    /// Appends one record. <paramref name="refersTo"/> names the segment of the message this record settles or
    /// updates: the log keeps this record's segment until that segment is gone. durable: completes after the batch
    /// holding the record is fsynced; otherwise once it is written. The payload is copied before the call returns.
    /// </summary>
    public ValueTask<LogPosition> AppendAsync(ReadOnlySpan<byte> payload, bool durable, long? refersTo = null) =>
        throw new NotImplementedException();

    /// <summary>Appends many records to one segment, with one fsync.</summary>
    public ValueTask<LogPosition[]> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> payloads, bool durable, long? refersTo = null) =>
        throw new NotImplementedException();

    /// <summary>Reads a record's payload back, checking its CRC.</summary>
    public ValueTask<byte[]> ReadAsync(LogPosition position) => throw new NotImplementedException();

    /// <summary>Adds live references to a segment (one per unsettled queue entry in it).</summary>
    public void Retain(long segment, int count = 1) => throw new NotImplementedException();

    /// <summary>Drops live references; a segment nothing needs any more is deleted in the background.</summary>
    public void Release(long segment, int count = 1) => throw new NotImplementedException();

    public MessageLogStats Stats => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
