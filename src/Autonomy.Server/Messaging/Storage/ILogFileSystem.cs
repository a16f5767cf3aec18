namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// The file layer: everything the message log does to disk goes through it, so that tests can replace the disk
/// with one that forgets what was not made durable (<see cref="CrashingLogFileSystem"/>).
/// </summary>
public interface ILogFileSystem
{
    /// <summary>Creates the directory (owner-only) when it does not exist.</summary>
    void CreateDirectory(string path);

    /// <summary>Names (not paths) of the files directly in <paramref name="directory"/>, sorted ordinally.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Opens a file for reading and writing; with <paramref name="create"/> a missing file is created (owner-only).</summary>
    ILogFile Open(string path, bool create);

    /// <summary>Removes a file; the removal is durable only after <see cref="SyncDirectory"/>.</summary>
    void Delete(string path);

    /// <summary>fsync of the directory: what makes creates and deletes in it survive a power loss.</summary>
    void SyncDirectory(string directory);
}
