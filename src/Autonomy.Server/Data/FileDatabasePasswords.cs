using System.Text;

namespace Autonomy.Server.Data;

/// <summary>
/// Passwords as files of their own in a folder only the owner can open (0700, each file 0600),
/// written through a temporary file, fsynced, then renamed, so that a crash leaves the old
/// password or the new one, never half of either.
/// </summary>
internal sealed class FileDatabasePasswords(string directory) : IDatabasePasswords
{
    public string? Find(string name)
    {
        try
        {
            return File.ReadAllText(PathOf(name)).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public string Create(string name)
    {
        var password = GeneratedPassword.New();
        DurableWrite.Replace(PathOf(name), Encoding.ASCII.GetBytes(password));
        return password;
    }

    public void Remove(string name) => DurableWrite.Delete(PathOf(name));

    // Names are service names or "<server>@admin": letters, digits, ".", "_", "-" and "@" only, so they are file names as they are.
    private string PathOf(string name) => Path.Combine(directory, name);
}
