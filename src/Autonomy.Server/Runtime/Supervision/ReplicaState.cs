namespace Autonomy.Server.Runtime.Supervision;

public enum ReplicaState
{
    /// <summary>Waiting for the services it depends on.</summary>
    Waiting,
    Running,
    /// <summary>Exited and waiting out its restart delay.</summary>
    Restarting,
    /// <summary>Exited and will not be restarted (its policy says so).</summary>
    Exited,
    Stopping,
    Stopped,
}
