namespace Autonomy.Server.Runtime.Supervision;

/// <summary>A service could not be brought up: why, and the last lines the failing service printed.</summary>
public sealed class ServiceStartException(string service, string reason, IReadOnlyList<string> lastLogLines)
    : Exception($"service '{service}' {reason}")
{
    public string Service { get; } = service;

    public string Reason { get; } = reason;

    public IReadOnlyList<string> LastLogLines { get; } = lastLogLines;
}
