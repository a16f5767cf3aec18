using System.Diagnostics;

namespace Autonomy.Server.Data.Managed;

/// <summary>
/// A short PostgreSQL program (initdb, postgres --single, pg_dump…) run to its end. As root the
/// server's own programs run as the postgres user through runuser, since initdb and postgres refuse root.
/// </summary>
internal static class HostCommand
{
    public const string ServerUser = "postgres";

    /// <summary>Root may not run PostgreSQL's server programs; they run as <see cref="ServerUser"/> instead.</summary>
    public static bool IsRoot => Environment.UserName == "root";

    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, bool asServerUser,
        string? input = null, IReadOnlyDictionary<string, string>? environment = null, Stream? stdout = null, Stream? stdin = null, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null || stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asServerUser && IsRoot)
        {
            start.FileName = SystemProgram("runuser");
            foreach (var word in new[] { "-u", ServerUser, "--", program })
            {
                start.ArgumentList.Add(word);
            }
        }
        else
        {
            start.FileName = program.Contains('/', StringComparison.Ordinal) ? program : SystemProgram(program);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new DatabaseException($"could not start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DatabaseException($"could not start {start.FileName}: {e.Message}", e);
        }
        using var started = process;
        var errors = process.StandardError.ReadToEndAsync(ct);
        Task<string> output;
        if (stdout is not null)
        {
            output = process.StandardOutput.BaseStream.CopyToAsync(stdout, ct).ContinueWith(_ => "", TaskScheduler.Default);
        }
        else
        {
            output = process.StandardOutput.ReadToEndAsync(ct);
        }
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), ct);
            process.StandardInput.Close();
        }
        else if (stdin is not null)
        {
            await stdin.CopyToAsync(process.StandardInput.BaseStream, ct);
            process.StandardInput.Close();
        }
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var text = (await output + await errors).Trim();
        return (process.ExitCode, text);
    }

    /// <summary>
    /// A system program (runuser, chown) by its full path: PATH first, then the system folders, which an
    /// ordinary user's PATH may leave out (Debian keeps runuser in /usr/sbin).
    /// </summary>
    private static string SystemProgram(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists)
        ?? throw new DatabaseException($"{name} is not on this machine (searched PATH, /usr/sbin, /sbin, /usr/bin and /bin), and the managed PostgreSQL needs it: install util-linux and coreutils");
}
