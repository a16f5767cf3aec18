using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Tests.Messaging.Storage;

/// <summary>
/// Passes every call to a real file layer, writing down the directory operations in order and letting a test hold
/// fsyncs of segment files (to see what waits for them, and what is written while one runs).
/// </summary>
internal sealed class ObservedLogFileSystem(ILogFileSystem inner) : ILogFileSystem
{
    private readonly Lock _gate = new();
    private readonly List<string> _operations = [];
    private long _writtenSinceFlush;

    /// <summary>Runs before each file fsync, on the thread doing it; may block.</summary>
    public Action? BeforeFlush { get; set; }

    /// <summary>Bytes written to any file since the last fsync of a file ended.</summary>
    public long WrittenSinceFlush => Interlocked.Read(ref _writtenSinceFlush);

    public IReadOnlyList<string> Operations
    {
        get
        {
            lock (_gate)
            {
                return [.. _operations];
            }
        }
    }

    public void CreateDirectory(string path) => inner.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) => inner.ListFiles(directory);

    public ILogFile Open(string path, bool create) => new File(this, inner.Open(path, create));

    public void Delete(string path)
    {
        Note($"delete {Path.GetFileName(path)}");
        inner.Delete(path);
    }

    public void SyncDirectory(string directory)
    {
        Note("sync directory");
        inner.SyncDirectory(directory);
    }

    private void Note(string operation)
    {
        lock (_gate)
        {
            _operations.Add(operation);
        }
    }

    private sealed class File(ObservedLogFileSystem files, ILogFile inner) : ILogFile
    {
        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            inner.Write(data, offset);
            Interlocked.Add(ref files._writtenSinceFlush, data.Length);
        }

        public int Read(Span<byte> destination, long offset) => inner.Read(destination, offset);

        public void Flush()
        {
            files.BeforeFlush?.Invoke();
            inner.Flush();
            Interlocked.Exchange(ref files._writtenSinceFlush, 0);
        }

        public void Truncate(long length) => inner.Truncate(length);

        public void Dispose() => inner.Dispose();
    }
}
