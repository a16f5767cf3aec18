namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// An open segment. Readers borrow it with <see cref="TryAcquire"/>: when the segment is deleted the log drops its
/// own use, and the handle is closed by whoever returns the last one, so a read racing a deletion never touches a
/// closed handle (it either finishes on the unlinked file or is told the segment is gone).
/// </summary>
internal sealed class SegmentFile(long number, string path, ILogFile file, long size)
{
    private int _uses = 1;
    private long _size = size;

    public long Number { get; } = number;

    public string Path { get; } = path;

    public ILogFile File { get; } = file;

    /// <summary>Bytes written to the file so far (the writer's view, which reads may trail).</summary>
    public long Size
    {
        get => Volatile.Read(ref _size);
        set => Volatile.Write(ref _size, value);
    }

    public bool TryAcquire()
    {
        var uses = Volatile.Read(ref _uses);
        while (uses > 0)
        {
            var seen = Interlocked.CompareExchange(ref _uses, uses + 1, uses);
            if (seen == uses)
            {
                return true;
            }
            uses = seen;
        }
        return false;
    }

    public void Return()
    {
        if (Interlocked.Decrement(ref _uses) == 0)
        {
            File.Dispose();
        }
    }
}
