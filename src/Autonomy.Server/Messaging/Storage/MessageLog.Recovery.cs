using System.Buffers;

namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// Recovery: every segment is scanned in order and each record's CRC checked; at the first torn or corrupt record
/// the rest of that segment is cut off (and the cut synced) before anything is replayed from later segments.
///
/// What a crash can leave, given how the log writes: records reach a file in order and are acknowledged only after
/// an fsync of every segment written so far, so anything after the first bad record of a segment was never
/// acknowledged, and cutting it loses nothing that was. A sealed segment's tail can be torn too (the writer moves to
/// the next segment before the sync thread has synced the previous one's last records); the records of later
/// segments are then kept, as whole records that were really written, though none of them was acknowledged. A
/// segment's header is synced, and its name made durable, before the next segment is created, so only the last
/// segment can lack its header: shorter than a header, or zeros only (its name reached the disk, its bytes did not).
/// It never held a record and is dropped. A foreign or damaged header anywhere else, or a zeroed header followed by
/// data, is not something a crash produces; the log refuses to open rather than guess.
/// </summary>
public sealed partial class MessageLog
{
    private const int MinimumSegmentBytes = 4096;
    private const int ScanBufferBytes = 1 << 20;

    /// <summary>
    /// Opens (creating if needed) and recovers the log in <paramref name="directory"/>: every whole record, in log
    /// order, is handed to <paramref name="replay"/> before the returned task completes; a torn or corrupt tail is
    /// truncated (and synced) first. Recovered segments hold no references until the caller retains them, so none is
    /// deleted before the first Release (or CollectSegmentsAsync): retain every live entry before settling any.
    /// </summary>
    public static Task<MessageLog> OpenAsync(string directory, ILogFileSystem files, MessageLogOptions options,
        RecordReplay replay, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(replay);
        return OpenAsync(directory, files, options, (_, position, payload) => replay(position, payload), collectAtOnce: false, ct);
    }

    /// <summary>
    /// As the other OpenAsync, with a callback that receives the log so that it can Retain (and Release) while it
    /// replays; segments left without references are then deleted as soon as the log is open.
    /// </summary>
    public static Task<MessageLog> OpenAsync(string directory, ILogFileSystem files, MessageLogOptions options,
        RecoveryReplay replay, CancellationToken ct = default) =>
        OpenAsync(directory, files, options, replay, collectAtOnce: true, ct);

    private static Task<MessageLog> OpenAsync(string directory, ILogFileSystem files, MessageLogOptions options,
        RecoveryReplay replay, bool collectAtOnce, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(replay);
        if (options.SegmentBytes < MinimumSegmentBytes)
        {
            throw new ArgumentException($"SegmentBytes must be at least {MinimumSegmentBytes} (it is {options.SegmentBytes})", nameof(options));
        }
        return Task.Run(() => Open(directory, files, options, replay, collectAtOnce, ct), ct);
    }

    private static MessageLog Open(string directory, ILogFileSystem files, MessageLogOptions options, RecoveryReplay replay,
        bool collectAtOnce, CancellationToken ct)
    {
        files.CreateDirectory(directory);
        var log = new MessageLog(directory, files, options);
        try
        {
            log.Recover(replay, ct);
        }
        catch
        {
            foreach (var segment in log._segments.Values)
            {
                segment.Return();
            }
            throw;
        }
        log.StartWriter();
        if (collectAtOnce)
        {
            log.StartCollection();
        }
        return log;
    }

    private void Recover(RecoveryReplay replay, CancellationToken ct)
    {
        var numbers = new List<long>();
        foreach (var name in _files.ListFiles(_directory))
        {
            if (LogRecordFormat.TryParseFileName(name, out var number))
            {
                numbers.Add(number);
            }
        }
        numbers.Sort();
        long tail = 1;
        long tailOffset = LogRecordFormat.SegmentHeaderBytes;
        var dropped = false;
        var buffer = ArrayPool<byte>.Shared.Rent(ScanBufferBytes);
        Span<byte> header = stackalloc byte[LogRecordFormat.SegmentHeaderBytes];
        try
        {
            for (var i = 0; i < numbers.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var number = numbers[i];
                var path = Path.Combine(_directory, LogRecordFormat.FileName(number));
                var file = _files.Open(path, create: false);
                SegmentFile? segment = null;
                try
                {
                    var length = file.Length;
                    var headerBytes = file.Read(header, 0);
                    if (i == numbers.Count - 1 && NeverHeldARecord(file, length, header[..headerBytes], buffer))
                    {
                        file.Dispose();
                        _files.Delete(path);
                        dropped = true;
                        tail = number;
                        tailOffset = LogRecordFormat.SegmentHeaderBytes;
                        continue;
                    }
                    if (LogRecordFormat.CheckSegmentHeader(header[..headerBytes], number) is { } problem)
                    {
                        throw new IOException(
                            $"cannot open the message log in {_directory}: {path}: {problem}. If the file does not belong to this log, move it out of the directory");
                    }
                    segment = new SegmentFile(number, path, file, length);
                    _segments[number] = segment;
                    _references.Add(number);
                    var end = Replay(segment, length, replay, ref buffer, ct);
                    if (end < length)
                    {
                        file.Truncate(end);
                        file.Flush();
                        Interlocked.Increment(ref _fsyncs);
                        Interlocked.Add(ref _truncatedBytes, length - end);
                        segment.Size = end;
                    }
                    tail = number;
                    tailOffset = end;
                }
                catch
                {
                    if (segment is null)
                    {
                        file.Dispose();
                    }
                    throw;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (dropped)
        {
            _files.SyncDirectory(_directory);
            Interlocked.Increment(ref _directorySyncs);
        }
        _tailSegment = tail;
        _tailOffset = tailOffset;
        _references.SetActive(tail);
    }

    /// <summary>
    /// Whether the last segment is one whose creation a crash interrupted: shorter than its header, or nothing but
    /// zeros (its name became durable, its bytes did not). Records are only ever written after the header is synced.
    /// </summary>
    private static bool NeverHeldARecord(ILogFile file, long length, ReadOnlySpan<byte> header, byte[] buffer)
    {
        if (length < LogRecordFormat.SegmentHeaderBytes)
        {
            return true;
        }
        if (header.IndexOfAnyExcept((byte)0) >= 0)
        {
            return false;
        }
        for (var offset = (long)header.Length; offset < length;)
        {
            var read = file.Read(buffer, offset);
            if (read == 0 || buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0) >= 0)
            {
                return read == 0;
            }
            offset += read;
        }
        return true;
    }

    /// <summary>Replays the whole records of a segment; returns the offset where they end (the file's length when nothing is torn).</summary>
    private long Replay(SegmentFile segment, long length, RecoveryReplay replay, ref byte[] buffer, CancellationToken ct)
    {
        var offset = (long)LogRecordFormat.SegmentHeaderBytes;
        var bufferOffset = offset;
        var buffered = 0;
        while (offset < length)
        {
            if (bufferOffset + buffered - offset < LogRecordFormat.RecordHeaderBytes)
            {
                buffered = Fill(segment, offset, length, buffer);
                bufferOffset = offset;
                if (buffered < LogRecordFormat.RecordHeaderBytes)
                {
                    break;
                }
            }
            var payloadLength = LogRecordFormat.PayloadLength(buffer.AsSpan((int)(offset - bufferOffset), LogRecordFormat.RecordHeaderBytes));
            var recordBytes = LogRecordFormat.RecordBytes(payloadLength);
            if (payloadLength < 0 || offset + recordBytes > length)
            {
                break;
            }
            if (bufferOffset + buffered - offset < recordBytes)
            {
                if (buffer.Length < recordBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(recordBytes);
                }
                buffered = Fill(segment, offset, length, buffer);
                bufferOffset = offset;
                if (buffered < recordBytes)
                {
                    break;
                }
            }
            var record = buffer.AsSpan((int)(offset - bufferOffset), recordBytes);
            var header = record[..LogRecordFormat.RecordHeaderBytes];
            var payload = record[LogRecordFormat.RecordHeaderBytes..];
            if (!LogRecordFormat.IsIntact(header, payload))
            {
                break;
            }
            var refersTo = LogRecordFormat.RefersTo(header);
            if (refersTo > 0)
            {
                _references.Placed(segment.Number, 0, refersTo, 0);
            }
            replay(this, new LogPosition(segment.Number, offset), payload);
            Interlocked.Increment(ref _replayedRecords);
            offset += recordBytes;
            if ((_replayedRecords & 0xFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
        }
        return offset;
    }

    private static int Fill(SegmentFile segment, long offset, long length, byte[] buffer) =>
        segment.File.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)), offset);
}
