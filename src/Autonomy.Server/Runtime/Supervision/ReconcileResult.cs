namespace Autonomy.Server.Runtime.Supervision;

/// <summary>What <c>up</c> on a running project did to each service.</summary>
public sealed record ReconcileResult(IReadOnlyList<string> Recreated, IReadOnlyList<string> Started, IReadOnlyList<string> Stopped, IReadOnlyList<string> Unchanged);
