namespace Autonomy.Server.Data.Health;

/// <summary>One node of a server as <c>ps</c>, <c>db ls</c> and the API show it; scripts rely on this shape.</summary>
/// <param name="Host">host:port.</param>
/// <param name="Role">primary, standby, down, or unknown before the first check.</param>
/// <param name="Error">Why it is down (connection refused, timed out, what the server said).</param>
/// <param name="CheckedAt">When it last answered or failed to.</param>
public sealed record NodeHealth(string Host, string Role, string? Error, DateTimeOffset? CheckedAt)
{
    /// <summary>Read-write: <c>pg_is_in_recovery()</c> is false.</summary>
    public const string Primary = "primary";

    /// <summary>Read-only, replaying a primary's WAL: <c>pg_is_in_recovery()</c> is true.</summary>
    public const string Standby = "standby";

    /// <summary>No answer within the timeout, or an error instead of one.</summary>
    public const string Down = "down";

    /// <summary>Not asked yet.</summary>
    public const string Unknown = "unknown";
}
