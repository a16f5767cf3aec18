using Autonomy.Server.Runtime.Planning;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Gives each service its own broker vhost and user before its first replica (or its setup) starts, and its
/// replicas the variable that reaches them. The server provides it; a bare supervisor has none.
/// </summary>
public interface IServiceMessaging
{
    /// <summary>Declares the service's vhost and makes its user (or gives it what its grants now say).</summary>
    Task PrepareAsync(ServicePlan plan, CancellationToken ct);

    /// <summary>MESSAGE_QUEUE_HTTP_URL of a prepared service; none otherwise.</summary>
    IReadOnlyDictionary<string, string> VariablesFor(string service);
}
