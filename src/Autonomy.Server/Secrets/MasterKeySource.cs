namespace Autonomy.Server.Secrets;

/// <summary>
/// Where a project's master key comes from: <c>AUTONOMY_MASTER_KEY</c> (base64), else the file that
/// <c>AUTONOMY_MASTER_KEY_FILE</c> names, else <c>master.key</c> in the state folder (mode 0600),
/// made on first use. A file is replaced only by <see cref="Replace"/>, in an order that never
/// leaves the secrets encrypted under a key that is not on disk.
/// </summary>
public sealed class MasterKeySource
{
    public const string KeyVariable = "AUTONOMY_MASTER_KEY";
    public const string FileVariable = "AUTONOMY_MASTER_KEY_FILE";
    public const string StateFileName = "master.key";

    private readonly string? _given;

    private MasterKeySource(MasterKeyOrigin origin, string? path, string? given)
    {
        Origin = origin;
        Path = path;
        _given = given;
    }

    public MasterKeyOrigin Origin { get; }

    /// <summary>The key file (none when the key is in the environment).</summary>
    public string? Path { get; }

    /// <summary>Where the key is, in words for messages.</summary>
    public string Description => Origin switch
    {
        MasterKeyOrigin.Environment => KeyVariable,
        MasterKeyOrigin.KeyFile => $"{Path} (from {FileVariable})",
        _ => Path!,
    };

    /// <summary>Where the new key of a rotation waits until the secrets are encrypted under it.</summary>
    internal string? NextPath => Path is null ? null : Path + ".next";

    /// <summary>A test's way to stop a rotation just after the secrets were re-encrypted, as a crash would.</summary>
    internal Action? AfterCommitForTests { get; set; }

    public static MasterKeySource From(string stateDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var key = environment.GetValueOrDefault(KeyVariable) is { Length: > 0 } k ? k : null;
        var file = environment.GetValueOrDefault(FileVariable) is { Length: > 0 } f ? f : null;
        if (key is not null && file is not null)
        {
            throw new MasterKeyException($"both {KeyVariable} and {FileVariable} are set; give the master key one way only");
        }
        if (key is not null)
        {
            return new MasterKeySource(MasterKeyOrigin.Environment, null, key);
        }
        return file is not null
            ? new MasterKeySource(MasterKeyOrigin.KeyFile, System.IO.Path.GetFullPath(file), null)
            : new MasterKeySource(MasterKeyOrigin.StateFile, System.IO.Path.Combine(stateDirectory, StateFileName), null);
    }

    /// <summary>
    /// The key, or null when its file does not exist yet. A rotation that a crash interrupted is
    /// finished (or undone) first, by which key <paramref name="storeFingerprint"/> (the one the
    /// store's secrets are encrypted with, null when it has none) says is in use.
    /// </summary>
    public MasterKey? Read(string? storeFingerprint)
    {
        if (Origin == MasterKeyOrigin.Environment)
        {
            return MasterKey.Parse(System.Text.Encoding.ASCII.GetBytes(_given!))
                ?? throw new MasterKeyException($"{KeyVariable} is not a master key: give 32 bytes in base64 (e.g. from 'head -c 32 /dev/urandom | base64')");
        }
        FinishRotation(storeFingerprint);
        if (!File.Exists(Path))
        {
            if (Origin == MasterKeyOrigin.KeyFile)
            {
                throw new MasterKeyException($"{FileVariable} names {Path}, which does not exist");
            }
            return null;
        }
        return ReadFile(Path!);
    }

    /// <summary>The key, made now (and written with mode 0600) if its file does not exist yet.</summary>
    public MasterKey ReadOrCreate(string? storeFingerprint)
    {
        if (Read(storeFingerprint) is { } existing)
        {
            return existing;
        }
        var key = MasterKey.Generate();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path!)!);
        var temporary = DurableFile.WriteBeside(Path!, System.Text.Encoding.ASCII.GetBytes(key.Base64 + "\n"), DurableFile.OwnerOnly);
        try
        {
            // Not over an existing file: if another process made one meanwhile, theirs is the key.
            File.Move(temporary, Path!, overwrite: false);
            DurableFile.SyncFolder(System.IO.Path.GetDirectoryName(Path!)!);
        }
        catch (IOException) when (File.Exists(Path))
        {
            File.Delete(temporary);
            return ReadFile(Path!);
        }
        return key;
    }

    /// <summary>
    /// Makes <paramref name="next"/> the key: written beside the current one, then
    /// <paramref name="reencrypt"/> commits the secrets under it, then it replaces the current file.
    /// A crash before the commit leaves the old key in place (the next read removes the new one); a
    /// crash after it leaves both files, and the next read promotes the new one. With the key in the
    /// environment there is no file to replace: the caller hands the new key to the user.
    /// </summary>
    public void Replace(MasterKey next, Action reencrypt)
    {
        if (Origin == MasterKeyOrigin.Environment)
        {
            reencrypt();
            return;
        }
        DurableFile.Write(NextPath!, System.Text.Encoding.ASCII.GetBytes(next.Base64 + "\n"), DurableFile.OwnerOnly);
        try
        {
            reencrypt();
        }
        catch
        {
            DurableFile.Delete(NextPath!);
            throw;
        }
        AfterCommitForTests?.Invoke();
        DurableFile.Rename(NextPath!, Path!);
    }

    private void FinishRotation(string? storeFingerprint)
    {
        if (NextPath is not { } next || !File.Exists(next))
        {
            return;
        }
        var pending = ReadFile(next);
        if (pending.Fingerprint == storeFingerprint)
        {
            DurableFile.Rename(next, Path!);
        }
        else if (storeFingerprint is null || (File.Exists(Path) && ReadFile(Path!).Fingerprint == storeFingerprint))
        {
            DurableFile.Delete(next);
        }
    }

    private static MasterKey ReadFile(string path)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new MasterKeyException($"the master key file {path} may be read or written by others (mode {Convert.ToString((int)mode, 8)}); make it yours alone: chmod 600 {path}");
        }
        return MasterKey.Parse(File.ReadAllBytes(path))
            ?? throw new MasterKeyException($"{path} is not a master key: it must hold 32 bytes in base64 (or the 32 bytes themselves)");
    }
}

/// <summary>Where the master key was found.</summary>
public enum MasterKeyOrigin
{
    /// <summary><c>master.key</c> in the project's state folder.</summary>
    StateFile,

    /// <summary>The file named by <c>AUTONOMY_MASTER_KEY_FILE</c>.</summary>
    KeyFile,

    /// <summary><c>AUTONOMY_MASTER_KEY</c> itself.</summary>
    Environment,
}
