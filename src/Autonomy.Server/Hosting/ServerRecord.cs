using System.Text.Json;

namespace Autonomy.Server.Hosting;

/// <summary>
/// Where a project's running control plane listens, written to <c>&lt;state&gt;/server.json</c> once it
/// listens, so that the CLI's other verbs can find it. The admin token is in <c>&lt;state&gt;/admin-token</c> (mode 0600).
/// <see cref="AmqpPort"/> is where the embedded broker speaks AMQP 0-9-1.
/// </summary>
public sealed record ServerRecord(int Pid, int Port, long StartTime, int AmqpPort = 0)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, "server.json");

    public static string TokenPathIn(string stateDirectory) => Path.Combine(stateDirectory, "admin-token");

    public void Write(string stateDirectory)
    {
        var path = PathIn(stateDirectory);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The record of a control plane that is still running (same process, same start), else null.</summary>
    public static ServerRecord? ReadLive(string stateDirectory)
    {
        try
        {
            var record = JsonSerializer.Deserialize<ServerRecord>(File.ReadAllText(PathIn(stateDirectory)), Json);
            return record is not null && Runtime.Processes.ProcessGroups.ReadStartTime(record.Pid) == record.StartTime
                && Runtime.Processes.ProcessGroups.IsRunning(record.Pid) ? record : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The admin token, created on first use: 32 random bytes, readable by the owner only.</summary>
    public static string AdminToken(string stateDirectory)
    {
        var path = TokenPathIn(stateDirectory);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }
        Directory.CreateDirectory(stateDirectory);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        var token = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(token);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process made it first: theirs is the token.
            File.Delete(temporary);
        }
        return File.ReadAllText(path).Trim();
    }
}
