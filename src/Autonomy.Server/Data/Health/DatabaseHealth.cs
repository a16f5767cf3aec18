namespace Autonomy.Server.Data.Health;

/// <summary>
/// The nodes behind a service's PostgreSQL database as last checked: <c>ok</c> while one of them is a
/// primary, <c>degraded</c> while none is (writes cannot succeed), <c>checking</c> before the first round.
/// Scripts rely on this shape.
/// </summary>
/// <param name="Server">The server or cluster, as <c>db ls</c> names it.</param>
/// <param name="Since">When the state began (the start of an outage, while degraded).</param>
public sealed record DatabaseHealth(string Server, string State, IReadOnlyList<NodeHealth> Nodes, DateTimeOffset? Since)
{
    public const string Ok = "ok";

    public const string Degraded = "degraded";

    public const string Checking = "checking";

    /// <summary>The nodes in one line: <c>127.0.0.1:5432 primary, 127.0.0.1:5433 down (connection refused)</c>.</summary>
    public string Describe() => string.Join(", ", Nodes.Select(n => $"{n.Host} {n.Role}" + (n.Error is { } e ? $" ({e})" : "")));
}
