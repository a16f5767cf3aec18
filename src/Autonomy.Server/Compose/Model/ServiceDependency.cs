namespace Autonomy.Server.Compose.Model;

public enum DependencyCondition
{
    ServiceStarted,
    ServiceHealthy,
    ServiceCompletedSuccessfully,
}

/// <summary>One <c>depends_on</c> entry.</summary>
public sealed record ServiceDependency(DependencyCondition Condition, bool Required, bool Restart);
