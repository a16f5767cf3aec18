namespace Autonomy.Server.Runtime.Processes;

/// <summary>A process could not be started; <see cref="Errno"/> is the C library's reason (ENOENT, EACCES, ...).</summary>
internal sealed class ProcessStartException(string message, int errno) : Exception(message)
{
    public int Errno { get; } = errno;

    /// <summary>
    /// Explains a failed spawn. posix_spawn reports one errno for every step it takes in the child (chdir,
    /// open, exec), so look at the file system again to say which of them failed.
    /// </summary>
    internal static ProcessStartException ForSpawn(ProcessSpec spec, int errno)
    {
        var reason = Processes.Errno.Describe(errno);
        var program = spec.Program;
        var directory = spec.WorkingDirectory;
        string message;
        if (errno is Processes.Errno.ENOENT or Processes.Errno.ENOTDIR && !Directory.Exists(directory))
        {
            message = $"Cannot start '{program}': the working directory '{directory}' does not exist: {reason}.";
        }
        else if (errno is Processes.Errno.ENOENT or Processes.Errno.ENOTDIR && !File.Exists(program))
        {
            message = $"Cannot start '{program}': the program does not exist: {reason}.";
        }
        else if (errno == Processes.Errno.ENOENT)
        {
            message = $"Cannot start '{program}': it exists, but the interpreter named on its '#!' line or a library it needs does not: {reason}.";
        }
        else if (errno == Processes.Errno.EACCES)
        {
            message = $"Cannot start '{program}' in '{directory}': permission denied; the program must be a regular file with execute permission and every directory on the way must be searchable: {reason}.";
        }
        else if (errno == Processes.Errno.ENOEXEC)
        {
            message = $"Cannot start '{program}': it is not an executable format; a script needs a '#!' line: {reason}.";
        }
        else
        {
            message = $"Cannot start '{program}' in '{directory}': {reason}.";
        }
        return new ProcessStartException(message, errno);
    }
}
