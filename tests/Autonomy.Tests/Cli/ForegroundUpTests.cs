using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary>
/// <c>autonomy up</c> in the foreground: it shows each service's state while they start (a live
/// table in a terminal, plain lines otherwise), then their logs, and stops everything on Ctrl-C.
/// </summary>
public sealed class ForegroundUpTests : IDisposable
{
    // b waits for a to be healthy (about a second), then runs its setup, then starts.
    private const string TwoStageProject = """
        name: foreground
        services:
          a:
            command: ["sh", "-c", "echo a is up; sleep 1; touch a.ready; exec sleep 300"]
            healthcheck:
              test: ["CMD", "test", "-f", "a.ready"]
              start_period: 30s
              start_interval: 200ms
          b:
            command: ["sh", "-c", "echo b is up; exec sleep 300"]
            depends_on:
              a:
                condition: service_healthy
            x-autonomy:
              setup: sleep 0.5
        """;

    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task WithoutATerminalEachStateChangeIsALineAndLogsFollow()
    {
        _project.Write("compose.yaml", TwoStageProject);
        using var up = StartUp(Repository.Launcher, ["up"], out var output);
        await WaitForAsync(output, "b: ready");
        await StopAsync(up);

        var text = Read(output);
        Assert.Contains("b: waiting, health none, 0/0 ready", text, StringComparison.Ordinal);
        Assert.Contains("a: running, health starting, 0/1 ready", text, StringComparison.Ordinal);
        Assert.Contains("b: setting up, health none, 0/0 ready", text, StringComparison.Ordinal);
        Assert.Contains("a: running, health healthy, 1/1 ready", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("b: waiting", StringComparison.Ordinal) < text.IndexOf("b: setting up", StringComparison.Ordinal), text);
        Assert.Contains("a-1 | a is up", text, StringComparison.Ordinal);
        Assert.Contains("b-1 | b is up", text, StringComparison.Ordinal);
        Assert.Contains("stopping…", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InATerminalALiveTableShowsTheStatesAndTheLogsWaitForIt()
    {
        _project.Write("compose.yaml", TwoStageProject);

        // script(1) gives the program a pseudo-terminal, as a user's shell would.
        Assert.True(File.Exists("/usr/bin/script"), "script(1) from util-linux is needed to run up under a terminal");
        var command = $"exec '{Repository.Launcher}' up";
        using var up = StartUp("/usr/bin/script", ["-qfec", command, "/dev/null"], out var output);
        await WaitForAsync(output, "b: ready");
        await WaitForAsync(output, "b-1 | b is up");
        await StopAsync(up, underScript: true);

        var text = Read(output);
        Assert.Contains("SERVICE", text, StringComparison.Ordinal);
        Assert.Contains("REPLICAS", text, StringComparison.Ordinal);
        Assert.Contains("setting up", text, StringComparison.Ordinal);
        Assert.Contains("\u001b[", text, StringComparison.Ordinal);
        Assert.DoesNotContain("b: waiting, health none", text, StringComparison.Ordinal);

        // The first log line is held until the table is done and the ready lines are printed.
        var ready = text.IndexOf("a: ready on", StringComparison.Ordinal);
        var firstLog = text.IndexOf("a-1 | ", StringComparison.Ordinal);
        Assert.True(ready >= 0 && firstLog > ready, text);
    }

    [Fact]
    public async Task CtrlCStopsEveryService()
    {
        _project.Write("compose.yaml", "name: foreground\nservices:\n  a:\n    command: sleep 300\n  b:\n    command: [\"sh\", \"-c\", \"trap '' TERM; sleep 300\"]\n    stop_grace_period: 1s\n");
        using var up = StartUp(Repository.Launcher, ["up"], out var output);
        await WaitForAsync(output, "b: ready");
        var pids = Directory.EnumerateFiles(Path.Combine(_project.Directory, ".autonomy", "foreground", "run"))
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("pid").GetInt32()).ToList();
        Assert.Equal(2, pids.Count);

        await StopAsync(up);
        Assert.Equal(0, up.ExitCode);
        Assert.All(pids, pid => Assert.False(RunningProject.ProcessExists(pid), $"pid {pid} survived Ctrl-C"));
    }

    private Process StartUp(string program, string[] arguments, out StringBuilder output)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = _project.Directory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        var process = Process.Start(start)!;
        var text = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = text;
        return process;
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static async Task WaitForAsync(StringBuilder output, string text)
    {
        try
        {
            await RunningProject.WaitUntilAsync(() => Read(output).Contains(text, StringComparison.Ordinal), $"up prints \"{text}\"", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; it printed:\n{Read(output)}", e);
        }
    }

    /// <summary>Ctrl-C: SIGINT to autonomy (under script(1), to its child), then waits for it to finish.</summary>
    private static async Task StopAsync(Process up, bool underScript = false)
    {
        var target = up.Id;
        if (underScript)
        {
            var children = File.ReadAllText($"/proc/{up.Id}/task/{up.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            target = int.Parse(Assert.Single(children), CultureInfo.InvariantCulture);
        }
        Process.Start("kill", ["-INT", target.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await up.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
