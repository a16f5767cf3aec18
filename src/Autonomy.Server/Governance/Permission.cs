namespace Autonomy.Server.Governance;

/// <summary>
/// What a call needs, named <c>&lt;resource&gt;:&lt;action&gt;[:&lt;scope&gt;]</c>: <c>config:write:orders</c> is
/// writing the orders namespace. A permission without a scope holds for every scope of its kind
/// (<c>config:read</c> reads every namespace); one with a scope holds for that scope only.
/// </summary>
public readonly record struct Permission(string Kind, string? Scope)
{
    /// <summary>Every kind there is, with what it lets a token do and whether it may name a scope.</summary>
    public static IReadOnlyDictionary<string, PermissionKind> Kinds { get; } = new Dictionary<string, PermissionKind>(StringComparer.Ordinal)
    {
        ["config:read"] = new("read a config namespace's keys, history and canaries", "namespace"),
        ["config:write"] = new("change a config namespace (keys, imports, rollbacks, canaries)", "namespace"),
        ["secrets:list"] = new("see secrets' names, versions and times, never their values", "secret"),
        ["secrets:read"] = new("read a secret's value", "secret"),
        ["secrets:write"] = new("set, delete and roll back secrets, rotate the master key", "secret"),
        ["services:read"] = new("see services, their replicas, health and the project's status", "service"),
        ["services:write"] = new("restart and scale services, reconcile and shut down the project", "service"),
        ["databases:read"] = new("see where each service's database lives and how it is provided", "service"),
        ["databases:manage"] = new("get a database's URL with its password, back it up, restore and drop it", "service"),
        ["logs:read"] = new("read the services' logs", null),
        ["tokens:read"] = new("list tokens (never the tokens themselves)", null),
        ["tokens:manage"] = new("create and revoke tokens", null),
        ["audit:read"] = new("read and verify the audit log", null),
        ["backup:read"] = new("download a backup of the store", null),
        ["messaging:read"] = new("see a broker vhost's exchanges, queues, depths, bindings and dead letters, and peek at messages", "vhost"),
        ["messaging:consume"] = new("receive messages from a vhost's queues, acknowledge and reject them, requeue dead letters", "vhost"),
        ["messaging:write"] = new("publish messages to a vhost's exchanges", "vhost"),
        ["messaging:configure"] = new("declare, delete, purge and bind a vhost's exchanges and queues", "vhost"),
        ["messaging:manage"] = new("create and delete vhosts, broker users and their permissions", null),
        ["registry:read"] = new("find a service's instances in the registry (address, port, health) and follow their changes", "service"),
        ["registry:write"] = new("register, heartbeat and deregister a service's external instances", "service"),
    };

    public override string ToString() => Scope is null ? Kind : $"{Kind}:{Scope}";

    /// <summary>Reads a permission's name; on failure <paramref name="problem"/> says what is wrong and what the names are.</summary>
    public static bool TryParse(string text, out Permission permission, out string? problem)
    {
        permission = default;
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3)
        {
            problem = $"'{text}' is not a permission: write <resource>:<action>[:<scope>], e.g. config:read:billing";
            return false;
        }
        var kind = $"{parts[0]}:{parts[1]}";
        if (!Kinds.TryGetValue(kind, out var known))
        {
            var resources = Kinds.Keys.Select(k => k.Split(':')[0]).Distinct();
            problem = Kinds.Keys.Any(k => k.StartsWith(parts[0] + ":", StringComparison.Ordinal))
                ? $"'{text}': '{parts[0]}' has no action '{parts[1]}'; its actions are {string.Join(", ", Kinds.Keys.Where(k => k.StartsWith(parts[0] + ":", StringComparison.Ordinal)))}"
                : $"'{text}': there is no resource '{parts[0]}'; the resources are {string.Join(", ", resources)}";
            return false;
        }
        string? scope = null;
        if (parts.Length == 3)
        {
            scope = parts[2];
            if (known.Scope is null)
            {
                problem = $"'{text}': {kind} takes no scope; write '{kind}'";
                return false;
            }
            if (!IsName(scope))
            {
                problem = $"'{text}': '{scope}' is not a {known.Scope} name (letters, digits, '.', '_' and '-', starting with a letter or digit)";
                return false;
            }
        }
        permission = new Permission(kind, scope);
        problem = null;
        return true;
    }

    public static Permission Parse(string text) =>
        TryParse(text, out var permission, out var problem) ? permission : throw new FormatException(problem);

    // The names of namespaces, services and secrets share these rules (a compose service name's).
    private static bool IsName(string name) =>
        name.Length is > 0 and <= 253 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}

/// <summary>A kind of permission: what it allows, and what its scope names (null: it takes none).</summary>
public sealed record PermissionKind(string Description, string? Scope);
