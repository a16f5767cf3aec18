using System.Runtime.InteropServices;

namespace Autonomy.Server.Runtime.Processes;

/// <summary>The errno values the process layer acts on (the same on Linux x86_64 and arm64).</summary>
internal static class Errno
{
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ENOEXEC = 8;
    public const int ECHILD = 10;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;

    /// <summary>"ENOENT (No such file or directory)": the symbolic name where we know it, and the C library's text.</summary>
    public static string Describe(int errno)
    {
        var name = errno switch
        {
            ENOENT => "ENOENT",
            ESRCH => "ESRCH",
            EINTR => "EINTR",
            7 => "E2BIG",
            ENOEXEC => "ENOEXEC",
            ECHILD => "ECHILD",
            11 => "EAGAIN",
            12 => "ENOMEM",
            EACCES => "EACCES",
            ENOTDIR => "ENOTDIR",
            21 => "EISDIR",
            22 => "EINVAL",
            23 => "ENFILE",
            24 => "EMFILE",
            26 => "ETXTBSY",
            36 => "ENAMETOOLONG",
            40 => "ELOOP",
            _ => "errno " + errno,
        };
        return $"{name} ({Marshal.GetPInvokeErrorMessage(errno)})";
    }
}
