using System.Runtime.InteropServices;

namespace Autonomy.Server.Data;

/// <summary>A file replaced whole or not at all: written beside itself with its final mode, fsynced, renamed, and the folder fsynced.</summary>
internal static partial class DurableWrite
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void Replace(string path, ReadOnlySpan<byte> content)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder, OwnerOnlyFolder);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        SyncFolder(folder);
    }

    public static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
            SyncFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    /// <summary>fsync on the folder, which is what makes a rename or removal survive a power loss.</summary>
    public static void SyncFolder(string folder)
    {
        var fd = Open(folder, 0x10000 | 0x80000);   // O_RDONLY | O_DIRECTORY | O_CLOEXEC
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
