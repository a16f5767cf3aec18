using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Autonomy.Server.Runtime.Processes;

/// <summary>The two ends of a pipe, each closed when its handle is disposed.</summary>
internal sealed class PipeEnds(SafePipeHandle read, SafePipeHandle write)
{
    public SafePipeHandle Read { get; } = read;

    public SafePipeHandle Write { get; } = write;

    /// <summary>The write end as the descriptor number posix_spawn duplicates into the child.</summary>
    public int WriteFd => (int)Write.DangerousGetHandle();

    /// <summary>
    /// Both ends are close-on-exec, so that no other process started meanwhile (by us or by
    /// System.Diagnostics.Process) inherits them and holds the pipe open; posix_spawn's dup2 gives the
    /// child its own copies, without the flag.
    /// </summary>
    public static unsafe PipeEnds Create()
    {
        var fds = stackalloc int[2];
        if (LibC.Pipe2(fds, LibC.OCloexec) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ProcessStartException($"Cannot create a pipe: {Errno.Describe(errno)}.", errno);
        }
        return new PipeEnds(new SafePipeHandle(fds[0], ownsHandle: true), new SafePipeHandle(fds[1], ownsHandle: true));
    }
}
