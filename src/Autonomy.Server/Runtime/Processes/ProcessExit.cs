namespace Autonomy.Server.Runtime.Processes;

/// <summary>How a process ended.</summary>
/// <param name="ExitCode">The exit status; <c>128 + signal</c> when a signal killed it, as a shell reports it.</param>
/// <param name="Signal">The signal that killed it, or null when it exited by itself.</param>
public readonly record struct ProcessExit(int ExitCode, int? Signal)
{
    /// <summary>Decodes a wait status (WIFEXITED, WEXITSTATUS, WIFSIGNALED, WTERMSIG are macros, not functions we could call).</summary>
    internal static ProcessExit FromWaitStatus(int status)
    {
        var low = status & 0x7f;
        if (low == 0)
        {
            return new ProcessExit((status >> 8) & 0xff, null);
        }
        // 0x7f would mean stopped, which waitpid only reports with WUNTRACED; anything else is the killing signal.
        return new ProcessExit(128 + low, low);
    }

    public override string ToString() =>
        Signal is { } signal ? $"killed by {Signals.Name(signal)} (exit code {ExitCode})" : $"exit code {ExitCode}";
}
