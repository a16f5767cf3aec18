using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// One segment file on disk. Opened without sharing, which on Linux takes an exclusive flock: a second broker
/// pointed at the same directory fails to open it instead of writing over the first one's records.
/// </summary>
internal sealed partial class OsLogFile : ILogFile
{
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly SafeFileHandle _handle;

    public OsLogFile(string path, bool create)
    {
        _path = path;
        _stream = new FileStream(path, new FileStreamOptions
        {
            Mode = create ? FileMode.OpenOrCreate : FileMode.Open,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = create ? UnixFileMode.UserRead | UnixFileMode.UserWrite : null,
        });
        _handle = _stream.SafeFileHandle;
    }

    public long Length => RandomAccess.GetLength(_handle);

    public void Write(ReadOnlySpan<byte> data, long offset) => RandomAccess.Write(_handle, data, offset);

    public int Read(Span<byte> destination, long offset)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(_handle, destination[total..], offset + total);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    public void Flush()
    {
        if (FileDataSync(_handle) != 0)
        {
            throw new IOException($"cannot sync {_path} to disk (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    public void Truncate(long length) => RandomAccess.SetLength(_handle, length);

    public void Dispose() => _stream.Dispose();

    [LibraryImport("libc.so.6", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FileDataSync(SafeFileHandle fd);
}
