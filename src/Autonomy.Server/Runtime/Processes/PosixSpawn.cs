using System.Runtime.InteropServices;

namespace Autonomy.Server.Runtime.Processes;

/// <summary>
/// posix_spawn with what System.Diagnostics.Process cannot do: the child leads a new process group, so
/// that a service and everything it starts can be signalled as one, and its signal dispositions and mask
/// are reset, since .NET ignores SIGPIPE and the child would otherwise inherit that.
/// </summary>
internal static class PosixSpawn
{
    /// <summary>Starts the program with stdin from /dev/null and stdout, stderr on the given descriptors.</summary>
    /// <returns>The pid, which is also the process group id.</returns>
    /// <exception cref="ProcessStartException">The program could not be started.</exception>
    public static int Start(ProcessSpec spec, int stdout, int stderr)
    {
        Validate(spec);
        using var argv = new NativeStringArray([spec.Program, .. spec.Arguments]);
        using var envp = new NativeStringArray([.. spec.Environment.Select(e => e.Key + "=" + e.Value)]);
        var attr = Marshal.AllocHGlobal(LibC.OpaqueSize);
        var actions = Marshal.AllocHGlobal(LibC.OpaqueSize);
        var attrReady = false;
        var actionsReady = false;
        try
        {
            Check(LibC.SpawnAttrInit(attr), "posix_spawnattr_init");
            attrReady = true;
            Check(LibC.FileActionsInit(actions), "posix_spawn_file_actions_init");
            actionsReady = true;

            Check(LibC.SpawnAttrSetFlags(attr, LibC.PosixSpawnSetPgroup | LibC.PosixSpawnSetSigMask | LibC.PosixSpawnSetSigDef), "posix_spawnattr_setflags");
            // Group 0: the child's own pid, so that pid == pgid.
            Check(LibC.SpawnAttrSetPgroup(attr, 0), "posix_spawnattr_setpgroup");
            // Signal n is bit n - 1 of glibc's sigset_t. The sets are filled by hand because sigfillset leaves
            // out glibc's internal signals 32 and 33, which the child would then inherit as ignored.
            Span<byte> signals = stackalloc byte[LibC.SigSetSize];
            signals.Clear();
            Check(LibC.SpawnAttrSetSigMask(attr, signals), "posix_spawnattr_setsigmask");
            signals.Fill(0xff);
            Check(LibC.SpawnAttrSetSigDefault(attr, signals), "posix_spawnattr_setsigdefault");

            Check(LibC.FileActionsAddDup2(actions, stdout, 1), "posix_spawn_file_actions_adddup2");
            Check(LibC.FileActionsAddDup2(actions, stderr, 2), "posix_spawn_file_actions_adddup2");
            Check(LibC.FileActionsAddOpen(actions, 0, "/dev/null", LibC.ORdonly, 0), "posix_spawn_file_actions_addopen");
            Check(LibC.FileActionsAddChdir(actions, spec.WorkingDirectory), "posix_spawn_file_actions_addchdir_np");

            // glibc reports a failure of any step in the child (chdir, open, exec) as the return value.
            var error = LibC.PosixSpawn(out var pid, spec.Program, actions, attr, argv.Pointer, envp.Pointer);
            return error == 0 ? pid : throw ProcessStartException.ForSpawn(spec, error);
        }
        finally
        {
            if (actionsReady)
            {
                LibC.FileActionsDestroy(actions);
            }
            if (attrReady)
            {
                LibC.SpawnAttrDestroy(attr);
            }
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attr);
        }
    }

    private static void Validate(ProcessSpec spec)
    {
        // Relative paths would be resolved against the child's new working directory, which is rarely meant.
        if (!Path.IsPathFullyQualified(spec.Program))
        {
            throw new ArgumentException($"The program '{spec.Program}' must be an absolute path; resolve it against PATH first.", nameof(spec));
        }
        if (!Path.IsPathFullyQualified(spec.WorkingDirectory))
        {
            throw new ArgumentException($"The working directory '{spec.WorkingDirectory}' must be an absolute path.", nameof(spec));
        }
        // C strings end at the first NUL: a string holding one would reach the process cut short.
        foreach (var text in spec.Arguments.Append(spec.Program).Append(spec.WorkingDirectory))
        {
            RejectNul(text, "argument");
        }
        foreach (var (key, value) in spec.Environment)
        {
            if (key.Length == 0 || key.Contains('='))
            {
                throw new ArgumentException($"'{key}' is not a valid environment variable name: it must be non-empty and hold no '='.", nameof(spec));
            }
            RejectNul(key, "environment variable name");
            RejectNul(value, $"value of environment variable '{key}'");
        }
    }

    private static void RejectNul(string text, string what)
    {
        if (text.Contains('\0'))
        {
            throw new ArgumentException($"The {what} '{text.Replace("\0", "\\0", StringComparison.Ordinal)}' holds a NUL character.", "spec");
        }
    }

    private static void Check(int error, string function)
    {
        if (error != 0)
        {
            throw new ProcessStartException($"Cannot prepare to start a process: {function} failed: {Errno.Describe(error)}.", error);
        }
    }
}
