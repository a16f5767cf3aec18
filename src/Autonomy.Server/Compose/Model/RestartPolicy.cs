namespace Autonomy.Server.Compose.Model;

public enum RestartKind
{
    No,
    Always,
    OnFailure,
    UnlessStopped,
}

/// <summary>
/// When a stopped replica is started again: from <c>restart</c>, or from <c>deploy.restart_policy</c>
/// where that is given (it says more: delay, attempts and window).
/// </summary>
public sealed record RestartPolicy(RestartKind Kind, int? MaxAttempts = null, TimeSpan? Delay = null, TimeSpan? Window = null)
{
    public static RestartPolicy No { get; } = new(RestartKind.No);
}
