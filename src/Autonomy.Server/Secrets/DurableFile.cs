using System.Runtime.InteropServices;

namespace Autonomy.Server.Secrets;

/// <summary>
/// Writes a file so that after a crash it is either the old one or the whole new one: a temporary
/// file beside it (created with the final mode, so it is never readable by others), fsynced,
/// renamed over the target, then the folder fsynced so that the rename itself is on disk.
/// </summary>
internal static partial class DurableFile
{
    private const int ORdonly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;

    public static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var temporary = WriteBeside(path, content, mode);
        Rename(temporary, path);
    }

    /// <summary>Writes <paramref name="content"/> to a new fsynced file beside <paramref name="path"/>; returns its path.</summary>
    public static string WriteBeside(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        return temporary;
    }

    /// <summary>Renames <paramref name="from"/> over <paramref name="to"/> (atomic on one file system) and makes the rename durable.</summary>
    public static void Rename(string from, string to)
    {
        File.Move(from, to, overwrite: true);
        SyncFolder(Path.GetDirectoryName(Path.GetFullPath(to))!);
    }

    /// <summary>Removes a file and makes the removal durable; no error when it is already gone.</summary>
    public static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
            SyncFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    /// <summary>fsync on the folder: what makes a created, renamed or removed name survive a power loss.</summary>
    public static void SyncFolder(string folder)
    {
        var fd = Open(folder, ORdonly | ODirectory | OCloexec);
        if (fd < 0)
        {
            throw new IOException($"cannot open the folder {folder} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"cannot sync the folder {folder} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);
}
