using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Tests.Messaging.Engine;

/// <summary>The real disk, with a gate a test can close to make writes wait: a disk that stops keeping up.</summary>
internal sealed class GatedLogFileSystem : ILogFileSystem
{
    private readonly OsLogFileSystem _inner = new();
    private readonly ManualResetEventSlim _open = new(true);
    private readonly ManualResetEventSlim _flushes = new(true);

    public void Close() => _open.Reset();

    public void Open() => _open.Set();

    /// <summary>Makes fsyncs wait (writes still go through): a disk whose cache takes a while to reach the platter.</summary>
    public void HoldFlushes() => _flushes.Reset();

    public void ReleaseFlushes() => _flushes.Set();

    public void CreateDirectory(string path) => _inner.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) => _inner.ListFiles(directory);

    public ILogFile Open(string path, bool create) => new File(this, _inner.Open(path, create));

    public void Delete(string path) => _inner.Delete(path);

    public void SyncDirectory(string directory) => _inner.SyncDirectory(directory);

    private sealed class File(GatedLogFileSystem files, ILogFile inner) : ILogFile
    {
        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            files._open.Wait();
            inner.Write(data, offset);
        }

        public int Read(Span<byte> destination, long offset) => inner.Read(destination, offset);

        public void Flush()
        {
            files._flushes.Wait();
            inner.Flush();
        }

        public void Truncate(long length) => inner.Truncate(length);

        public void Dispose() => inner.Dispose();
    }
}
