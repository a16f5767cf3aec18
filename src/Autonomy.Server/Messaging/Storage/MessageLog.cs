using System.Buffers;
using System.Collections.Concurrent;

namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// The broker's segmented append-only log: records framed with length and CRC32C, group-committed fsyncs, recovery
/// that cuts a torn tail, and segments deleted once nothing refers to them. Appends, reads, Retain and Release may
/// be called from any number of threads.
/// </summary>
public sealed partial class MessageLog : IAsyncDisposable
{
    // One read fetches the header and, for most messages, the whole payload.
    private const int ReadAhead = 4096;

    private readonly string _directory;
    private readonly ILogFileSystem _files;
    private readonly MessageLogOptions _options;
    private readonly SegmentReferences _references;
    private readonly ConcurrentDictionary<long, SegmentFile> _segments = new();
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposing;

    private long _pendingDurable;
    private long _replayedRecords;
    private long _records;
    private long _batches;
    private long _fsyncs;
    private long _directorySyncs;
    private long _deletedSegments;
    private long _truncatedBytes;

    /// <summary>Hands a recovered record to its owner; the payload is only valid during the call.</summary>
    public delegate void RecordReplay(LogPosition position, ReadOnlySpan<byte> payload);

    /// <summary>Hands a recovered record to its owner along with the log, so that it can take references while replaying.</summary>
    public delegate void RecoveryReplay(MessageLog log, LogPosition position, ReadOnlySpan<byte> payload);

    private MessageLog(string directory, ILogFileSystem files, MessageLogOptions options)
    {
        _directory = directory;
        _files = files;
        _options = options;
        _references = new SegmentReferences(directory);
    }

    /// <summary>The directory holding the segments.</summary>
    public string Directory => _directory;

    public MessageLogStats Stats => new(
        _segments.Count,
        _segments.Values.Sum(s => s.Size),
        _references.Live,
        Interlocked.Read(ref _pendingDurable),
        Interlocked.Read(ref _replayedRecords),
        Interlocked.Read(ref _records),
        Interlocked.Read(ref _batches),
        Interlocked.Read(ref _fsyncs),
        Interlocked.Read(ref _directorySyncs),
        Interlocked.Read(ref _deletedSegments),
        Interlocked.Read(ref _truncatedBytes));

    /// <summary>Adds live references to a segment (one per unsettled queue entry in it). Also during replay.</summary>
    public void Retain(long segment, int count = 1) => _references.Retain(segment, count);

    /// <summary>
    /// Drops live references. A sealed segment with none left, no record being written into it and no record
    /// referring to a segment that still exists is deleted in the background (file deleted, directory synced).
    /// </summary>
    public void Release(long segment, int count = 1)
    {
        var deletable = _references.Release(segment, count);
        if (!Volatile.Read(ref _collectionStarted) && Volatile.Read(ref _recovered))
        {
            StartCollection();
        }
        else if (deletable)
        {
            ScheduleCollection();
        }
    }

    /// <summary>Live references the engine holds on a segment, or null when the segment is not (or no longer) in the log.</summary>
    public long? LiveReferences(long segment) => _references.LiveOf(segment);

    /// <summary>Reads a record's payload back, checking its CRC; a damaged or missing record is an IOException naming the file and offset.</summary>
    public ValueTask<byte[]> ReadAsync(LogPosition position)
    {
        try
        {
            return new ValueTask<byte[]>(Read(position));
        }
        catch (IOException e)
        {
            return ValueTask.FromException<byte[]>(e);
        }
    }

    /// <summary>Writes and syncs what is pending, stops the writer, and closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 1)
        {
            await _disposed.Task;
            return;
        }
        StopWriter();
        await _writerExited.Task;
        await _syncerExited.Task;
        await StopCollectionAsync();
        foreach (var segment in _segments.Values)
        {
            segment.Return();
        }
        _segments.Clear();
        _disposed.TrySetResult();
    }

    private byte[] Read(LogPosition position)
    {
        if (!_segments.TryGetValue(position.Segment, out var segment) || !segment.TryAcquire())
        {
            throw new IOException(
                $"cannot read the record at {position} of the message log in {_directory}: segment {position.Segment} is not in the log");
        }
        try
        {
            return ReadRecord(segment, position.Offset);
        }
        finally
        {
            segment.Return();
        }
    }

    private static byte[] ReadRecord(SegmentFile segment, long offset)
    {
        if (offset < LogRecordFormat.SegmentHeaderBytes)
        {
            throw Unreadable(segment, offset, "the offset is inside the segment header");
        }
        var buffer = ArrayPool<byte>.Shared.Rent(ReadAhead);
        try
        {
            var read = segment.File.Read(buffer.AsSpan(0, ReadAhead), offset);
            if (read < LogRecordFormat.RecordHeaderBytes)
            {
                throw Unreadable(segment, offset, "the file ends before the record");
            }
            var header = buffer.AsSpan(0, LogRecordFormat.RecordHeaderBytes);
            var length = LogRecordFormat.PayloadLength(header);
            if (length < 0)
            {
                throw Unreadable(segment, offset, "its length field is corrupt");
            }
            var payload = GC.AllocateUninitializedArray<byte>(length);
            var buffered = Math.Min(length, read - LogRecordFormat.RecordHeaderBytes);
            buffer.AsSpan(LogRecordFormat.RecordHeaderBytes, buffered).CopyTo(payload);
            if (buffered < length
                && segment.File.Read(payload.AsSpan(buffered), offset + LogRecordFormat.RecordHeaderBytes + buffered) < length - buffered)
            {
                throw Unreadable(segment, offset, "the file ends inside the record");
            }
            if (!LogRecordFormat.IsIntact(header, payload))
            {
                throw Unreadable(segment, offset, "checksum mismatch (the record is corrupt, or no record starts there)");
            }
            return payload;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IOException Unreadable(SegmentFile segment, long offset, string why) =>
        new($"cannot read the message log record at offset {offset} of {segment.Path}: {why}");
}
