using System.Diagnostics;

namespace Autonomy.Tests.TestUtilities;

/// <summary>The repository the tests run in, and a way to run its launcher as a user would.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Launcher => Path.Combine(Root, "autonomy");

    /// <summary>Runs <c>./autonomy</c> with <paramref name="args"/> in <paramref name="workingDirectory"/>; the environment gets <paramref name="env"/> on top of this process's.</summary>
    public static async Task<CommandResult> RunAutonomyAsync(string workingDirectory, IEnumerable<string> args, IDictionary<string, string?>? env = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Launcher)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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
