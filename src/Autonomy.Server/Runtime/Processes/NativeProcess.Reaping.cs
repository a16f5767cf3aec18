using System.Runtime.InteropServices;

namespace Autonomy.Server.Runtime.Processes;

internal sealed partial class NativeProcess
{
    /// <summary>
    /// Runs on a thread of its own, blocked in waitpid for this group only: waitpid(-1) would also take the exit
    /// statuses of children that System.Diagnostics.Process (or another NativeProcess) is waiting for.
    /// </summary>
    private void Reap()
    {
        try
        {
            var leaderReaped = ReapChildren(block: true);
            if (!leaderReaped)
            {
                _exited.TrySetException(new InvalidOperationException(
                    $"The exit status of process {Pid} was collected by someone else (a waitpid(-1) in this process, or SIGCHLD ignored), so how it ended is unknown."));
            }
            WaitUntilGroupGone();
            lock (_signalLock)
            {
                _isGroupGone = true;
            }
            _groupGone.TrySetResult();
        }
        catch (Exception e)
        {
            _exited.TrySetException(e);
            _groupGone.TrySetException(e);
        }
    }

    /// <summary>
    /// Reaps our children in the group until there are none (or, with WNOHANG, none exited): the leader, and
    /// the members re-parented to us once their parent died, when we are a child subreaper.
    /// </summary>
    /// <returns>True if the leader was among them.</returns>
    private bool ReapChildren(bool block)
    {
        var leaderReaped = false;
        while (true)
        {
            var pid = LibC.WaitPid(-Pid, out var status, block ? 0 : LibC.WNoHang);
            if (pid == 0)
            {
                return leaderReaped;
            }
            if (pid < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                {
                    continue;
                }
                return errno == Errno.ECHILD
                    ? leaderReaped
                    : throw new InvalidOperationException($"waitpid for process group {Pid} failed: {Errno.Describe(errno)}.");
            }
            if (pid == Pid)
            {
                leaderReaped = true;
                // As a container engine does when PID 1 exits: what the leader leaves behind goes with it. Killed
                // before Exited completes, so that whoever sees Exited sees the group already doomed; but during
                // a graceful stop the rest keep their grace period (a shell leader dies of SIGTERM at once, while
                // the program it runs may still be saving its work).
                if (!InGracePeriod)
                {
                    KillGroup();
                }
                _exited.TrySetResult(ProcessExit.FromWaitStatus(status));
            }
        }
    }

    /// <summary>
    /// Members that are not our children (we are no subreaper, or they have another parent) are reaped by
    /// someone else: poll until the group id has no process left, zombies included.
    /// </summary>
    private void WaitUntilGroupGone()
    {
        var pause = 1;
        while (ProcessGroups.IsGroupAlive(Pid))
        {
            // Again, for a member forked while the first SIGKILL was on its way.
            if (!InGracePeriod)
            {
                KillGroup();
            }
            Thread.Sleep(pause);
            pause = Math.Min(pause * 2, 100);
            ReapChildren(block: false);
        }
    }

    private bool InGracePeriod => Volatile.Read(ref _gracefulUntil) is var until && until != 0 && Environment.TickCount64 < until;

    // Best effort: a member that runs as another user (a setuid program) cannot be killed by us, and
    // that must not keep Exited from completing.
    private void KillGroup() => _ = LibC.Kill(-Pid, Signals.SIGKILL);
}
