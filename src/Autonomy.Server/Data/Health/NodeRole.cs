namespace Autonomy.Server.Data.Health;

/// <summary>What a PostgreSQL node answered the last time it was asked.</summary>
public enum NodeRole
{
    /// <summary>Not asked yet.</summary>
    Unknown,

    /// <summary>Read-write: <c>pg_is_in_recovery()</c> is false.</summary>
    Primary,

    /// <summary>Read-only, replaying the primary's WAL: <c>pg_is_in_recovery()</c> is true.</summary>
    Standby,

    /// <summary>No answer within the timeout, or an error instead of one.</summary>
    Down,
}
