using Autonomy.Server.Secrets;

namespace Autonomy.Server.Messaging.Storage;

/// <summary>The real disk: positional reads and writes on file handles, fsync for durability, owner-only modes.</summary>
public sealed class OsLogFileSystem : ILogFileSystem
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public void CreateDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
    }

    public IReadOnlyList<string> ListFiles(string directory)
    {
        var names = Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public ILogFile Open(string path, bool create) => new OsLogFile(path, create);

    public void Delete(string path) => File.Delete(path);

    public void SyncDirectory(string directory) => DurableFile.SyncFolder(directory);
}
