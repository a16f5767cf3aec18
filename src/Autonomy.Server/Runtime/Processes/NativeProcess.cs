using System.IO.Pipes;

namespace Autonomy.Server.Runtime.Processes;

/// <summary>
/// A program running as the leader of its own process group, as a container's PID 1 is: it is signalled
/// together with everything it started, and when it exits, what it leaves behind is killed.
/// </summary>
/// <remarks>
/// Read <see cref="StandardOutput"/> and <see cref="StandardError"/> continuously: a child blocks once a
/// pipe's buffer (64 KiB) is full. Disposing kills whatever is left of the group and closes the streams.
/// </remarks>
internal sealed partial class NativeProcess : IAsyncDisposable
{
    // Environment.TickCount64 until which a graceful stop lets the group live; 0 when no stop is under way.
    private long _gracefulUntil;
    private readonly TaskCompletionSource<ProcessExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _groupGone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Once the group is gone its id may be reused by an unrelated group: signals are sent under this lock
    // only while the reaper has not yet seen the group go.
    private readonly Lock _signalLock = new();
    private bool _isGroupGone;

    private NativeProcess(int pid, long startTime, Stream standardOutput, Stream standardError)
    {
        Pid = pid;
        StartTime = startTime;
        StandardOutput = standardOutput;
        StandardError = standardError;
        var reaper = new Thread(Reap, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = $"reaper {pid}",
        };
        reaper.Start();
    }

    /// <summary>The process id, which is also the id of its process group.</summary>
    public int Pid { get; }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat, read right after the spawn: see <see cref="ProcessGroups.ReadStartTime"/>.</summary>
    public long StartTime { get; }

    /// <summary>Ends when every process of the group (and anything else that inherited it) has closed it.</summary>
    public Stream StandardOutput { get; }

    /// <inheritdoc cref="StandardOutput"/>
    public Stream StandardError { get; }

    /// <summary>
    /// Completes when the group leader has exited; the rest of the group is SIGKILLed by then, though it may not
    /// be gone yet (<see cref="StopAsync"/> waits for that). Faults only if something else in this process
    /// collected the exit status first (a <c>waitpid(-1)</c>, or SIGCHLD set to be ignored).
    /// </summary>
    public Task<ProcessExit> Exited => _exited.Task;

    /// <summary>Starts the program in a new process group.</summary>
    /// <exception cref="ProcessStartException">It could not be started: missing program or working directory, no permission, ...</exception>
    /// <exception cref="ArgumentException">The spec cannot be expressed (relative paths, NUL characters, '=' in a variable name).</exception>
    public static NativeProcess Start(ProcessSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        PipeEnds? stdout = null;
        PipeEnds? stderr = null;
        Stream? output = null;
        Stream? error = null;
        try
        {
            stdout = PipeEnds.Create();
            stderr = PipeEnds.Create();
            // The streams exist before the child does, so that nothing can fail between spawning it and
            // starting its reaper.
            output = new AnonymousPipeClientStream(PipeDirection.In, stdout.Read);
            error = new AnonymousPipeClientStream(PipeDirection.In, stderr.Read);
            var pid = PosixSpawn.Start(spec, stdout.WriteFd, stderr.WriteFd);
            // Not yet reaped, so it is still in /proc even if it has exited already; 0 only without /proc.
            var startTime = ProcessGroups.ReadStartTime(pid) ?? 0;
            return new NativeProcess(pid, startTime, output, error);
        }
        catch
        {
            output?.Dispose();
            error?.Dispose();
            stdout?.Read.Dispose();
            stderr?.Read.Dispose();
            throw;
        }
        finally
        {
            // Our copies of the write ends must go, or the read ends would never see end-of-file.
            stdout?.Write.Dispose();
            stderr?.Write.Dispose();
        }
    }

    /// <summary>Sends a signal to every process of the group; nothing once the group is gone.</summary>
    public void SignalGroup(int signal)
    {
        lock (_signalLock)
        {
            if (!_isGroupGone)
            {
                ProcessGroups.SignalGroup(Pid, signal);
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the group, gives the leader <paramref name="grace"/> to exit, then
    /// SIGKILLs the group. Returns once no process of the group is left and the leader is reaped; at once if that
    /// is already so.
    /// </summary>
    /// <param name="ct">Ends the grace at once (the group is SIGKILLed), then stops waiting for the group to go,
    /// with an <see cref="OperationCanceledException"/>.</param>
    public async Task StopAsync(int signal, TimeSpan grace, CancellationToken ct = default)
    {
        // The whole group gets the grace period, not only the leader: the reaper holds back its SIGKILL until then.
        var graceMs = grace == Timeout.InfiniteTimeSpan ? long.MaxValue / 2 : (long)Math.Max(0, grace.TotalMilliseconds);
        Volatile.Write(ref _gracefulUntil, Environment.TickCount64 + Math.Max(1, graceMs));
        SignalGroup(signal);
        if (grace != TimeSpan.Zero && !_groupGone.Task.IsCompleted)
        {
            using var graceOver = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Task.WhenAny(_groupGone.Task, Task.Delay(grace, graceOver.Token)).ConfigureAwait(false);
            await graceOver.CancelAsync().ConfigureAwait(false);
        }
        Volatile.Write(ref _gracefulUntil, 0);
        SignalGroup(Signals.SIGKILL);
        await _groupGone.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Kills what is left of the group, waits until it is gone and closes the output streams.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_signalLock)
        {
            if (!_isGroupGone)
            {
                KillGroup();
            }
        }
        await _groupGone.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await StandardOutput.DisposeAsync().ConfigureAwait(false);
        await StandardError.DisposeAsync().ConfigureAwait(false);
    }
}
