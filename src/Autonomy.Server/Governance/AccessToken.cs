namespace Autonomy.Server.Governance;

/// <summary>Where a token comes from, which decides how long it lives.</summary>
public enum TokenKind
{
    /// <summary>The state folder's admin-token file: lives as long as the file.</summary>
    File,

    /// <summary>Made with <c>tokens create</c>: kept (hashed) in the store until it expires or is revoked.</summary>
    Stored,

    /// <summary>A replica's own: made when it starts, gone when it stops, never written anywhere.</summary>
    Replica,

    /// <summary>Not a token: a broker user who sent its name and password (HTTP Basic), for the messaging routes only.</summary>
    BrokerUser,
}

/// <summary>
/// A token as the server knows it (never the token itself): who it is, its role and what that
/// role lets it do. Revocation and a new project (which may change a service's grants) update it
/// in place, so that a caller's check is one lookup.
/// </summary>
public sealed class AccessToken(string id, TokenKind kind, string role, PermissionSet permissions)
{
    private long _lastUsed;

    public string Id { get; } = id;

    public TokenKind Kind { get; } = kind;

    public string Role { get; } = role;

    public PermissionSet Permissions { get; internal set; } = permissions;

    public string? Name { get; init; }

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset? Expires { get; init; }

    public DateTimeOffset? Revoked { get; internal set; }

    /// <summary>The replica a replica token was made for.</summary>
    public string? Replica { get; init; }

    /// <summary>The broker user this caller authenticated as (HTTP Basic with a broker user's password), or null for a token.</summary>
    public string? BrokerUser => Kind == TokenKind.BrokerUser ? Id : null;

    /// <summary>The service of a <c>service:NAME</c> role, or null.</summary>
    public string? Service => Role.StartsWith(Roles.ServicePrefix, StringComparison.Ordinal) ? Role[Roles.ServicePrefix.Length..] : null;

    /// <summary>Who a change is recorded as, in the config history and the audit log.</summary>
    public string Actor => Kind switch
    {
        TokenKind.File => "admin",
        TokenKind.Replica => $"{Service}/{Replica}",
        TokenKind.BrokerUser => Role,
        _ => Id,
    };

    public DateTimeOffset? LastUsed
    {
        get
        {
            var ms = Volatile.Read(ref _lastUsed);
            return ms == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
        init => _lastUsed = value?.ToUnixTimeMilliseconds() ?? 0;
    }

    /// <summary>Set when the last-use time is newer than what the store has.</summary>
    internal bool LastUseUnsaved { get; set; }

    /// <summary>Notes a use; to the second, so that callers in a tight loop do not all write the same field.</summary>
    internal void MarkUsed(long nowMs)
    {
        if (nowMs - Volatile.Read(ref _lastUsed) >= 1000)
        {
            Volatile.Write(ref _lastUsed, nowMs);
            LastUseUnsaved = true;
        }
    }
}
