using Autonomy.Server.Runtime.Planning;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Gives each service its own database before its first replica (or its setup) starts, and its
/// replicas the variables that reach it. The server provides it; a bare supervisor has none.
/// </summary>
public interface IServiceDatabases
{
    /// <summary>Initializes a managed server's cluster, or provisions the service's database; throws a message fit for the user.</summary>
    Task PrepareAsync(ServicePlan plan, CancellationToken ct);

    /// <summary>DATABASE_URL and ConnectionStrings__Database of a prepared service; none otherwise.</summary>
    IReadOnlyDictionary<string, string> VariablesFor(string service);

    /// <summary>The nodes behind the service's PostgreSQL database as last checked; null when it has none there.</summary>
    Data.Health.DatabaseHealth? HealthOf(string service);
}
