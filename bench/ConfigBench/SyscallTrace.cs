using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Autonomy.Bench.Config;

/// <summary>Counts a running server's fsync-family calls with <c>strace -f -c</c>: attached for the
/// length of a measurement, then detached with SIGINT, which makes strace write its summary.</summary>
internal sealed partial class SyscallTrace : IAsyncDisposable
{
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _strace;
    private readonly string _summaryFile;
    private readonly string _attachedLine;
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _lastLine = "";

    private SyscallTrace(Process strace, string summaryFile, string attachedLine)
    {
        _strace = strace;
        _summaryFile = summaryFile;
        _attachedLine = attachedLine;
    }

    /// <summary>Attaches to every thread of <paramref name="pid"/> and returns once strace says it has.</summary>
    public static async Task<SyscallTrace> AttachAsync(int pid, CancellationToken cancellationToken)
    {
        var summaryFile = Path.Combine(Path.GetTempPath(), $"configbench-strace-{Environment.ProcessId}-{pid}.txt");
        if (!Directory.Exists($"/proc/{pid}"))
        {
            throw new BenchFailure($"no process {pid} to trace");
        }
        var start = new ProcessStartInfo("strace")
        {
            ArgumentList = { "-f", "-c", "-e", "trace=fsync,fdatasync,sync_file_range", "-o", summaryFile, "-p", pid.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process strace;
        try
        {
            strace = Process.Start(start) ?? throw new BenchFailure("strace did not start");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new BenchFailure("strace is not installed (apt-get install strace), so fsyncs cannot be counted");
        }
        var trace = new SyscallTrace(strace, summaryFile, $"strace: Process {pid} attached");
        strace.ErrorDataReceived += (_, e) => trace.OnStraceLine(e.Data);
        strace.EnableRaisingEvents = true;
        strace.Exited += (_, _) =>
        {
            strace.WaitForExit();   // and for its last line, which says why
            trace._attached.TrySetException(new BenchFailure($"strace could not attach to process {pid}: {trace._lastLine}"));
        };
        strace.BeginErrorReadLine();
        strace.BeginOutputReadLine();
        // With -f, strace has attached to every thread when it says "Process N attached [with M threads]".
        try
        {
            await trace._attached.Task.WaitAsync(AttachTimeout, cancellationToken);
            return trace;
        }
        catch (TimeoutException)
        {
            await trace.DisposeAsync();
            throw new BenchFailure($"strace did not attach to process {pid} within {AttachTimeout.TotalSeconds:0} s");
        }
        catch
        {
            await trace.DisposeAsync();
            throw;
        }
    }

    /// <summary>Detaches and returns the calls counted per system call name.</summary>
    public async Task<IReadOnlyDictionary<string, long>> StopAsync()
    {
        if (!_strace.HasExited)
        {
            _ = Kill(_strace.Id, SigInt);
        }
        try
        {
            await _strace.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new BenchFailure("strace did not detach within 30 s of SIGINT");
        }
        return Parse(File.Exists(_summaryFile) ? await File.ReadAllLinesAsync(_summaryFile) : []);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_strace.HasExited)
        {
            _ = Kill(_strace.Id, SigInt);
            try
            {
                await _strace.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                _strace.Kill();
            }
        }
        _strace.Dispose();
        File.Delete(_summaryFile);
    }

    /// <summary>Reads strace's -c table: "% time  seconds  usecs/call  calls  [errors]  syscall".</summary>
    public static Dictionary<string, long> Parse(IEnumerable<string> summary)
    {
        var calls = new Dictionary<string, long>();
        foreach (var line in summary)
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[^1] != "total" && fields[^1] != "syscall" &&
                long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                calls[fields[^1]] = count;
            }
        }
        return calls;
    }

    private void OnStraceLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lastLine = line;
        if (line.StartsWith(_attachedLine, StringComparison.Ordinal))
        {
            _attached.TrySetResult();
        }
    }

    private const int SigInt = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
