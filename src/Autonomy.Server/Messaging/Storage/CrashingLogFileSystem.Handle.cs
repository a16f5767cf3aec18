namespace Autonomy.Server.Messaging.Storage;

public sealed partial class CrashingLogFileSystem
{
    /// <summary>An open file; like a POSIX descriptor it keeps working after its name is deleted, but not after a crash.</summary>
    private sealed class Handle(CrashingLogFileSystem files, Node node, string path, int generation) : ILogFile
    {
        private bool _disposed;

        public long Length
        {
            get
            {
                lock (files._gate)
                {
                    Check();
                    return node.Current.Length;
                }
            }
        }

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            lock (files._gate)
            {
                Check();
                files.Tick("write", path);
                files._writes++;
                files._bytesWritten += data.Length;
                node.Write(data, offset);
            }
        }

        public int Read(Span<byte> destination, long offset)
        {
            lock (files._gate)
            {
                Check();
                var current = node.Current;
                if (offset >= current.Length)
                {
                    return 0;
                }
                var count = (int)Math.Min(destination.Length, current.Length - offset);
                current.Slice((int)offset, count).CopyTo(destination);
                return count;
            }
        }

        public void Flush()
        {
            lock (files._gate)
            {
                Check();
                files.Tick("flush", path);
                files._flushes++;
                node.Flush();
            }
        }

        public void Truncate(long length)
        {
            lock (files._gate)
            {
                Check();
                files.Tick("truncate", path);
                node.Truncate(length);
            }
        }

        public void Dispose() => _disposed = true;

        private void Check()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (generation != files._generation)
            {
                throw new IOException($"{path} was opened before the simulated crash");
            }
        }
    }
}
