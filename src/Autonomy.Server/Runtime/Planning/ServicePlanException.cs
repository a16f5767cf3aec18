namespace Autonomy.Server.Runtime.Planning;

/// <summary>Services that cannot run natively as written; each problem says which service, why, and how to fix it.</summary>
public sealed class ServicePlanException(IReadOnlyList<string> problems) : Exception(string.Join("\n", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
