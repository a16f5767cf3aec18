namespace Autonomy.Server.Hosting;

/// <summary>
/// Socket operations that complete on the thread that saw them complete, instead of each being handed to the thread
/// pool. The gateway forwards a request in a few socket operations and every hand-over costs a wake-up and a switch
/// (a tenth of its throughput on a busy core). .NET reads the switch from the environment once, when its first socket
/// is used, so it is set at the very start of the program; services never see it unless the user set it.
/// </summary>
/// <remarks>
/// With it on, code that runs after a socket operation must not block its thread: everything that does (the store's
/// and the broker's disk writes) already runs on threads of its own.
/// </remarks>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>True when this program set the switch itself, so that it is not passed on to the services it starts.</summary>
    public static bool SetHere { get; private set; }

    /// <summary>Turns the switch on for this process, unless the user chose either way.</summary>
    public static void Enable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
            SetHere = true;
        }
    }
}
