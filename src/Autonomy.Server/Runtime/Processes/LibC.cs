using System.Runtime.InteropServices;

namespace Autonomy.Server.Runtime.Processes;

/// <summary>
/// The few glibc calls the process layer needs. Values are those of Linux on x86_64 and arm64 (both use the
/// generic numbering for flags, signals and errno). Functions that report failure through their return value
/// (the posix_spawn family) do not set errno, so only the others ask for <c>SetLastError</c>.
/// </summary>
internal static unsafe partial class LibC
{
    // "libc.so.6" rather than "libc": on a machine with the C headers installed "libc.so" is a linker script
    // that dlopen cannot load. posix_spawn_file_actions_addchdir_np needs glibc 2.29 or later anyway.
    private const string Library = "libc.so.6";

    public const int OCloexec = 0x80000;
    public const int ORdonly = 0;

    public const short PosixSpawnSetPgroup = 0x02;
    public const short PosixSpawnSetSigDef = 0x04;
    public const short PosixSpawnSetSigMask = 0x08;

    public const int PrSetChildSubreaper = 36;

    public const int WNoHang = 1;

    /// <summary>Bytes of glibc's sigset_t (1024 bits), larger than the kernel's.</summary>
    public const int SigSetSize = 128;

    /// <summary>
    /// posix_spawnattr_t and posix_spawn_file_actions_t are opaque (336 and 80 bytes in glibc on x86_64):
    /// allocating more than either needs keeps us independent of the exact layout.
    /// </summary>
    public const int OpaqueSize = 1024;

    [LibraryImport(Library, EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PosixSpawn(out int pid, string path, IntPtr fileActions, IntPtr attr, IntPtr argv, IntPtr envp);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_init")]
    public static partial int SpawnAttrInit(IntPtr attr);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_destroy")]
    public static partial int SpawnAttrDestroy(IntPtr attr);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setflags")]
    public static partial int SpawnAttrSetFlags(IntPtr attr, short flags);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setpgroup")]
    public static partial int SpawnAttrSetPgroup(IntPtr attr, int pgroup);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int SpawnAttrSetSigMask(IntPtr attr, ReadOnlySpan<byte> sigset);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int SpawnAttrSetSigDefault(IntPtr attr, ReadOnlySpan<byte> sigset);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(IntPtr fileActions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(IntPtr fileActions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(IntPtr fileActions, int fd, int newFd);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FileActionsAddOpen(IntPtr fileActions, int fd, string path, int flags, uint mode);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_addchdir_np", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FileActionsAddChdir(IntPtr fileActions, string path);

    [LibraryImport(Library, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    private const int ScClkTck = 2;

    [LibraryImport(Library, EntryPoint = "sysconf")]
    private static partial long SysConf(int name);

    /// <summary>The unit of CPU and start times in /proc (USER_HZ, 100 on every Linux we know of, asked rather than assumed).</summary>
    public static long ClockTicksPerSecond() => SysConf(ScClkTck) is > 0 and var hz ? hz : 100;

    [LibraryImport(Library, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    // prctl is variadic in C; passing every argument as a full register-width value is how the ABI expects it.
    [LibraryImport(Library, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
