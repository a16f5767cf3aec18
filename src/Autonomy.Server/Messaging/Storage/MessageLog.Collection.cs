namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// Deleting segments nothing needs any more, in the background. Deletions go in rounds: a round deletes what is
/// deletable, syncs the directory, and only then lets the segments whose records referred to the deleted ones go in
/// the next round, so that a crash can never keep a settled message while losing the record that settled it.
/// </summary>
public sealed partial class MessageLog
{
    private readonly SemaphoreSlim _collection = new(1, 1);
    private int _collectionScheduled;
    private bool _collectionStarted;
    private bool _collectionStopped;
    private Exception? _collectionFailure;

    /// <summary>
    /// Deletes every segment that may be deleted now and completes when that is durable. Deletion also happens by
    /// itself after Release; this is for callers (and tests) that need it done at a known point.
    /// </summary>
    public async Task CollectSegmentsAsync()
    {
        Volatile.Write(ref _collectionStarted, true);
        await _collection.WaitAsync();
        try
        {
            Collect();
        }
        finally
        {
            _collection.Release();
        }
    }

    private void StartCollection()
    {
        Volatile.Write(ref _collectionStarted, true);
        ScheduleCollection();
    }

    private void ScheduleCollection()
    {
        if (Volatile.Read(ref _collectionStarted) && Interlocked.Exchange(ref _collectionScheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static log => _ = log.RunScheduledCollectionAsync(), this, preferLocal: false);
        }
    }

    private async Task RunScheduledCollectionAsync()
    {
        await _collection.WaitAsync();
        try
        {
            Volatile.Write(ref _collectionScheduled, 0);
            Collect();
        }
        catch (Exception e)
        {
            // The segments stay on disk and are collected at the next opening; appends are unaffected.
            _collectionFailure = e;
        }
        finally
        {
            _collection.Release();
        }
    }

    private async Task StopCollectionAsync()
    {
        await _collection.WaitAsync();
        _collectionStopped = true;
        _collection.Release();
    }

    private void Collect()
    {
        if (_collectionStopped || Volatile.Read(ref _failure) is not null)
        {
            return;
        }
        if (_collectionFailure is { } earlier)
        {
            throw new IOException($"deleting segments of the message log in {_directory} failed earlier: {earlier.Message}", earlier);
        }
        while (_references.TakeDeletable() is { Count: > 0 } doomed)
        {
            foreach (var number in doomed)
            {
                if (_segments.TryRemove(number, out var segment))
                {
                    _files.Delete(segment.Path);
                    segment.Return();
                }
            }
            _files.SyncDirectory(_directory);
            Interlocked.Increment(ref _directorySyncs);
            _references.Deleted(doomed);
            Interlocked.Add(ref _deletedSegments, doomed.Count);
        }
    }
}
