using System.Diagnostics;

namespace Autonomy.Tests.TestUtilities;

/// <summary>The repository the tests run in, and a way to run its launcher as a user would.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Launcher => Path.Combine(Root, "autonomy");

    /// <summary>Runs <c>./autonomy</c> with <paramref name="args"/> in <paramref name="workingDirectory"/>; the environment gets <paramref name="env"/> on top of this process's.</summary>
    /// <summary><paramref name="stdin"/>, when given, is the command's standard input (then closed), as a pipe or a redirected file would be.</summary>
    public static async Task<CommandResult> RunAutonomyAsync(string workingDirectory, IEnumerable<string> args, IDictionary<string, string?>? env = null, TimeSpan? timeout = null, byte[]? stdin = null)
    {
        var start = new ProcessStartInfo(Launcher)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            start.Environment[k] = v;
        }
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"autonomy {string.Join(' ', args)} did not finish in time");
        }
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Autonomy.sln")) && File.Exists(Path.Combine(dir.FullName, "autonomy")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("the tests must run inside the Autonomy repository");
    }
}

public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}
