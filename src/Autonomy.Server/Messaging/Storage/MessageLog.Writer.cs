namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// Group commit. Appenders frame their record into the open batch and take their position under one short lock.
/// The writer thread swaps the batch out and writes it (one pwrite per segment), completes the non-durable appends,
/// and hands the rest to the sync thread; while that thread runs an fsync the writer goes on writing, so every
/// record appended meanwhile is made durable by the next fsync, which is what keeps fsyncs per batch and not per
/// record. A new segment is created, its header synced and its directory synced by the writer before any record in
/// it is written, so no record is acknowledged in a file whose name could still vanish.
/// </summary>
public sealed partial class MessageLog
{
    // Bytes of framed records waiting for the writer beyond which appenders wait: the disk is not keeping up.
    private const int OpenBatchLimit = 64 << 20;

    private readonly object _gate = new();
    private readonly object _syncGate = new();
    private readonly TaskCompletionSource _writerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _syncerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Under _gate.
    private AppendBatch _open = new();
    private AppendBatch? _spare = new();
    private long _tailSegment;
    private long _tailOffset;
    private bool _recovered;
    private bool _writerWaiting;
    private bool _closing;
    private int _appendersWaiting;
    private Exception? _failure;

    // Under _syncGate: what the writer has written and the sync thread has not yet made durable.
    private List<AppendWaiter> _unsynced = [];
    private List<AppendWaiter> _unsyncedSpare = [];
    private readonly Dictionary<long, int> _unsyncedRuns = [];
    private readonly Dictionary<long, SegmentFile> _dirty = [];
    private bool _syncerWaiting;
    private bool _writerDone;

    /// <summary>
    /// Appends one record. <paramref name="refersTo"/> names the segment of the message this record settles or
    /// updates (an ack, a requeue count, a dead-lettering), or null: the log keeps this record's segment until that
    /// segment is gone, so that deleting it can never bring a settled message back to life. A record settles messages
    /// of one segment; a settlement spanning segments is one record per segment. durable: the task completes after
    /// the batch holding the record is fsynced; otherwise once it is written (it becomes durable with the next
    /// batch). The payload is copied before the call returns.
    /// </summary>
    public ValueTask<LogPosition> AppendAsync(ReadOnlySpan<byte> payload, bool durable, long? refersTo = null) =>
        AppendAsync(payload, durable, refersTo, retain: 0);

    /// <summary>
    /// Appends one record and, in the same step, takes <paramref name="retain"/> live references on the segment it
    /// lands in. Use this for records that create queue entries: a Retain after the append completes leaves a moment
    /// in which the segment, sealed and unreferenced, could be deleted under the new entries.
    /// </summary>
    public ValueTask<LogPosition> AppendAsync(ReadOnlySpan<byte> payload, bool durable, long? refersTo, int retain) =>
        Append(payload, durable, refersTo, retain, out _);

    /// <summary>
    /// As <see cref="AppendAsync(ReadOnlySpan{byte}, bool, long?, int)"/>, also giving the record's position at once,
    /// before it is written: whoever needs it early (a queue showing a message to its consumers while it is being
    /// made durable) must serve the record from memory until the task completes, since a read of it fails before.
    /// </summary>
    public ValueTask<LogPosition> Append(ReadOnlySpan<byte> payload, bool durable, long? refersTo, int retain, out LogPosition position)
    {
        position = default;
        CheckPayload(payload.Length);
        var reference = Reference(refersTo);
        ArgumentOutOfRangeException.ThrowIfNegative(retain);
        var checksum = LogRecordFormat.Checksum(reference, payload);
        var bytes = LogRecordFormat.RecordBytes(payload.Length);
        AppendWaiter waiter;
        lock (_gate)
        {
            if (Unusable() is { } error)
            {
                return ValueTask.FromException<LogPosition>(error);
            }
            position = Place(bytes, reference, retain);
            _open.Add(payload, reference, checksum);
            waiter = AppendWaiter.Rent(position, null);
            (durable ? _open.Durable : _open.Written).Add(waiter);
            Counted(1, durable);
            WakeWriter();
        }
        return new ValueTask<LogPosition>(waiter, waiter.Version);
    }

    /// <summary>Appends many records to one segment with one fsync (a publish routed to several queues, a dead-lettering that republishes).</summary>
    public ValueTask<LogPosition[]> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> payloads, bool durable, long? refersTo = null) =>
        AppendAsync(payloads, durable, refersTo, retain: 0);

    /// <summary>As the other batch append, also taking <paramref name="retain"/> live references on the segment the records land in.</summary>
    public ValueTask<LogPosition[]> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> payloads, bool durable, long? refersTo, int retain)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var reference = Reference(refersTo);
        ArgumentOutOfRangeException.ThrowIfNegative(retain);
        if (payloads.Count == 0)
        {
            return new ValueTask<LogPosition[]>([]);
        }
        var bytes = 0L;
        var checksums = new uint[payloads.Count];
        for (var i = 0; i < payloads.Count; i++)
        {
            CheckPayload(payloads[i].Length);
            bytes += LogRecordFormat.RecordBytes(payloads[i].Length);
            checksums[i] = LogRecordFormat.Checksum(reference, payloads[i].Span);
        }
        if (bytes > int.MaxValue)
        {
            throw new ArgumentException($"the records of one append take {bytes} bytes; at most {int.MaxValue} fit in one call", nameof(payloads));
        }
        var positions = new LogPosition[payloads.Count];
        AppendWaiter waiter;
        lock (_gate)
        {
            if (Unusable() is { } error)
            {
                return ValueTask.FromException<LogPosition[]>(error);
            }
            positions[0] = Place((int)bytes, reference, retain);
            for (var i = 0; i < payloads.Count; i++)
            {
                if (i > 0)
                {
                    positions[i] = positions[i - 1] with { Offset = positions[i - 1].Offset + LogRecordFormat.RecordBytes(payloads[i - 1].Length) };
                }
                _open.Add(payloads[i].Span, reference, checksums[i]);
            }
            waiter = AppendWaiter.Rent(positions[0], positions);
            (durable ? _open.Durable : _open.Written).Add(waiter);
            Counted(payloads.Count, durable);
            WakeWriter();
        }
        return new ValueTask<LogPosition[]>(waiter, waiter.Version);
    }

    private void Counted(int records, bool durable)
    {
        Interlocked.Add(ref _records, records);
        if (durable)
        {
            Interlocked.Increment(ref _pendingDurable);
        }
    }

    private static void CheckPayload(int length)
    {
        if (length > LogRecordFormat.MaxPayloadBytes)
        {
            throw new ArgumentException($"a record holds at most {LogRecordFormat.MaxPayloadBytes} bytes; this one has {length}", "payload");
        }
    }

    private static long Reference(long? refersTo)
    {
        if (refersTo is { } segment)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(segment, 1, nameof(refersTo));
            return segment;
        }
        return LogRecordFormat.NoReference;
    }

    /// <summary>Under _gate: why no record may be appended now, or null.</summary>
    private Exception? Unusable()
    {
        if (!_recovered)
        {
            return new InvalidOperationException($"the message log in {_directory} cannot take appends while it replays its records");
        }
        if (_closing)
        {
            return new ObjectDisposedException(nameof(MessageLog), $"the message log in {_directory} is closed");
        }
        return _failure is { } failure ? new IOException(failure.Message, failure.InnerException) : null;
    }

    /// <summary>
    /// Under _gate: the position of <paramref name="bytes"/> of records appended in one call (never split across
    /// segments), rolling to a new segment when they would take the active one past its size.
    /// </summary>
    private LogPosition Place(int bytes, long refersTo, int retain)
    {
        while (_open.Length > 0 && _open.Length + (long)bytes > OpenBatchLimit && _failure is null && !_closing)
        {
            _appendersWaiting++;
            Monitor.Wait(_gate);
            _appendersWaiting--;
        }
        if (_failure is not null || _closing)
        {
            throw Unusable()!;
        }
        var rolled = false;
        if (_tailOffset + bytes > _options.SegmentBytes && _tailOffset > LogRecordFormat.SegmentHeaderBytes)
        {
            _tailSegment++;
            _tailOffset = LogRecordFormat.SegmentHeaderBytes;
            _references.SetActive(_tailSegment);
            rolled = true;
        }
        var position = new LogPosition(_tailSegment, _tailOffset);
        var startsRun = _open.Place(position, bytes);
        if (startsRun || refersTo != LogRecordFormat.NoReference || retain > 0)
        {
            _references.Placed(_tailSegment, startsRun ? 1 : 0, refersTo, retain);
        }
        _tailOffset += bytes;
        if (rolled)
        {
            ScheduleCollection();
        }
        return position;
    }

    private void WakeWriter()
    {
        if (_writerWaiting)
        {
            Monitor.PulseAll(_gate);
        }
    }

    private void StartWriter()
    {
        lock (_gate)
        {
            _recovered = true;
        }
        new Thread(WriteLoop) { IsBackground = true, Name = "message log writer" }.Start();
        new Thread(SyncLoop) { IsBackground = true, Name = "message log sync" }.Start();
    }

    private void StopWriter()
    {
        lock (_gate)
        {
            _closing = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void WriteLoop()
    {
        try
        {
            while (TakeBatch() is { } batch)
            {
                Write(batch);
            }
        }
        finally
        {
            lock (_syncGate)
            {
                _writerDone = true;
                Monitor.PulseAll(_syncGate);
            }
            _writerExited.TrySetResult();
        }
    }

    private AppendBatch? TakeBatch()
    {
        lock (_gate)
        {
            while (_open.IsEmpty)
            {
                if (_closing)
                {
                    return null;
                }
                _writerWaiting = true;
                Monitor.Wait(_gate);
                _writerWaiting = false;
            }
            var batch = _open;
            _open = _spare ?? new AppendBatch();
            _spare = null;
            if (_appendersWaiting > 0)
            {
                Monitor.PulseAll(_gate);
            }
            return batch;
        }
    }

    private void Write(AppendBatch batch)
    {
        var failure = Volatile.Read(ref _failure);
        var written = new List<SegmentFile>(batch.Runs.Count);
        if (failure is null)
        {
            try
            {
                foreach (var run in batch.Runs)
                {
                    var segment = _segments.TryGetValue(run.Segment, out var existing) ? existing : CreateSegment(run.Segment);
                    segment.File.Write(batch.Bytes(run), run.FileOffset);
                    segment.Size = run.FileOffset + run.Length;
                    written.Add(segment);
                }
                Interlocked.Increment(ref _batches);
            }
            catch (Exception e)
            {
                failure = Fail(e);
            }
        }
        if (failure is not null)
        {
            Interlocked.Add(ref _pendingDurable, -batch.Durable.Count);
            WaiterCompletion.Queue(batch.Written, failure);
            WaiterCompletion.Queue(batch.Durable, failure);
        }
        else
        {
            HandToSyncer(batch, written);
            WaiterCompletion.Queue(batch.Written, null);
        }
        batch.Clear();
        lock (_gate)
        {
            _spare ??= batch;
        }
    }

    private void HandToSyncer(AppendBatch batch, List<SegmentFile> written)
    {
        lock (_syncGate)
        {
            foreach (var segment in written)
            {
                _dirty[segment.Number] = segment;
                _unsyncedRuns[segment.Number] = _unsyncedRuns.GetValueOrDefault(segment.Number) + 1;
            }
            _unsynced.AddRange(batch.Durable);
            if (_syncerWaiting)
            {
                Monitor.PulseAll(_syncGate);
            }
        }
    }

    private SegmentFile CreateSegment(long number)
    {
        var path = Path.Combine(_directory, LogRecordFormat.FileName(number));
        var file = _files.Open(path, create: true);
        try
        {
            if (file.Length != 0)
            {
                throw new IOException($"cannot start segment {number} of the message log: {path} already exists");
            }
            Span<byte> header = stackalloc byte[LogRecordFormat.SegmentHeaderBytes];
            LogRecordFormat.WriteSegmentHeader(header, number);
            file.Write(header, 0);
            file.Flush();
            Interlocked.Increment(ref _fsyncs);
            _files.SyncDirectory(_directory);
            Interlocked.Increment(ref _directorySyncs);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        var segment = new SegmentFile(number, path, file, LogRecordFormat.SegmentHeaderBytes);
        _segments[number] = segment;
        return segment;
    }

    private void SyncLoop()
    {
        var flushing = new List<SegmentFile>();
        var runs = new List<KeyValuePair<long, int>>();
        try
        {
            while (true)
            {
                List<AppendWaiter> waiters;
                bool last;
                lock (_syncGate)
                {
                    while (_unsynced.Count == 0 && _unsyncedRuns.Count == 0 && !_writerDone)
                    {
                        _syncerWaiting = true;
                        Monitor.Wait(_syncGate);
                        _syncerWaiting = false;
                    }
                    last = _writerDone;
                    waiters = _unsynced;
                    _unsynced = _unsyncedSpare;
                    runs.AddRange(_unsyncedRuns);
                    _unsyncedRuns.Clear();
                    // Only appends that asked for durability (or closing) cost an fsync; written non-durable records
                    // stay dirty and ride along with the next one.
                    if (waiters.Count > 0 || last)
                    {
                        flushing.AddRange(_dirty.Values);
                        _dirty.Clear();
                    }
                }
                Sync(flushing, waiters, runs);
                flushing.Clear();
                runs.Clear();
                waiters.Clear();
                lock (_syncGate)
                {
                    _unsyncedSpare = waiters;
                }
                if (last)
                {
                    return;
                }
            }
        }
        finally
        {
            _syncerExited.TrySetResult();
        }
    }

    private void Sync(List<SegmentFile> flushing, List<AppendWaiter> waiters, List<KeyValuePair<long, int>> runs)
    {
        var failure = Volatile.Read(ref _failure);
        if (failure is null)
        {
            try
            {
                foreach (var segment in flushing)
                {
                    // A segment deleted meanwhile has nothing left worth syncing.
                    if (segment.TryAcquire())
                    {
                        try
                        {
                            var started = System.Diagnostics.Stopwatch.GetTimestamp();
                            segment.File.Flush();
                            Diagnostics.AutonomyMetrics.BrokerLogFsync.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                            Interlocked.Increment(ref _fsyncs);
                        }
                        finally
                        {
                            segment.Return();
                        }
                    }
                }
            }
            catch (Exception e)
            {
                failure = Fail(e);
            }
        }
        Interlocked.Add(ref _pendingDurable, -waiters.Count);
        WaiterCompletion.Queue(waiters, failure);
        if (failure is not null)
        {
            return;
        }
        var collect = false;
        foreach (var (segment, count) in runs)
        {
            collect |= _references.Unpin(segment, count);
        }
        if (collect)
        {
            ScheduleCollection();
        }
    }

    /// <summary>
    /// A write or fsync failed: after a failed fsync the kernel may have dropped the dirty pages, so nothing written
    /// since the last good fsync can be trusted to be on disk, and no retry can tell. Every pending and later append
    /// fails; reopening the log recovers what is really there.
    /// </summary>
    private Exception Fail(Exception error)
    {
        lock (_gate)
        {
            _failure ??= new IOException($"the message log in {_directory} failed and must be reopened: {error.Message}", error);
            Monitor.PulseAll(_gate);
            return _failure;
        }
    }
}
