namespace Autonomy.Server.Governance;

/// <summary>
/// The permissions a token holds, built once per role so that checking a call is two dictionary
/// lookups and no allocation: by kind, then (for scoped grants) by scope.
/// </summary>
public sealed class PermissionSet
{
    private readonly bool _everything;
    private readonly Dictionary<string, Grant> _byKind = new(StringComparer.Ordinal);

    private PermissionSet(bool everything, IEnumerable<Permission> permissions)
    {
        _everything = everything;
        foreach (var permission in permissions)
        {
            if (!_byKind.TryGetValue(permission.Kind, out var grant))
            {
                _byKind[permission.Kind] = grant = new Grant();
            }
            if (permission.Scope is null)
            {
                grant.EveryScope = true;
            }
            else
            {
                grant.Scopes.Add(permission.Scope);
            }
        }
    }

    /// <summary>The admin's: every permission, including kinds added later.</summary>
    public static PermissionSet Everything { get; } = new(true, []);

    public static PermissionSet Of(IEnumerable<Permission> permissions) => new(false, permissions);

    public bool IsEverything => _everything;

    /// <summary>Whether a call that needs <paramref name="kind"/> (on <paramref name="scope"/>, if it has one) may go ahead.</summary>
    public bool Allows(string kind, string? scope)
    {
        if (_everything)
        {
            return true;
        }
        if (!_byKind.TryGetValue(kind, out var grant))
        {
            return false;
        }
        return grant.EveryScope || (scope is not null && grant.Scopes.Contains(scope));
    }

    public bool Allows(Permission permission) => Allows(permission.Kind, permission.Scope);

    /// <summary>The first permission of <paramref name="other"/> this set lacks (null when it holds them all), so that no token can hand out more than it has.</summary>
    public string? FirstMissingOf(PermissionSet other)
    {
        if (_everything)
        {
            return null;
        }
        if (other._everything)
        {
            return "every permission (the admin role)";
        }
        return other.Permissions.FirstOrDefault(p => !Allows(p)) is { Kind: not null } missing ? missing.ToString() : null;
    }

    /// <summary>Each permission, ordered by name; empty for <see cref="Everything"/>.</summary>
    public IEnumerable<Permission> Permissions =>
        _byKind.OrderBy(k => k.Key, StringComparer.Ordinal).SelectMany(k => k.Value.EveryScope
            ? [new Permission(k.Key, null)]
            : k.Value.Scopes.Order(StringComparer.Ordinal).Select(s => new Permission(k.Key, s)));

    public override string ToString() => _everything ? "*" : string.Join(", ", Permissions);

    private sealed class Grant
    {
        public bool EveryScope { get; set; }

        public HashSet<string> Scopes { get; } = new(StringComparer.Ordinal);
    }
}
