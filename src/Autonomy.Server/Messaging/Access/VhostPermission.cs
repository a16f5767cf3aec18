namespace Autonomy.Server.Messaging.Access;

/// <summary>What a broker user may do in one vhost: a pattern of resource names for each operation.</summary>
public sealed record VhostPermission(string User, string Vhost, PermissionPattern Configure, PermissionPattern Write, PermissionPattern Read)
{
    /// <summary>Everything in the vhost: what a service's own user has on its own vhost.</summary>
    public static VhostPermission All(string user, string vhost) =>
        new(user, vhost, PermissionPattern.Everything, PermissionPattern.Everything, PermissionPattern.Everything);

    public PermissionPattern For(Operation operation) => operation switch
    {
        Operation.Configure => Configure,
        Operation.Write => Write,
        _ => Read,
    };

    public bool Allows(Operation operation, string resource) => For(operation).Allows(resource);

    /// <summary>This one, with whatever <paramref name="other"/> allows as well (a pattern that allows everything wins).</summary>
    public VhostPermission Widen(VhostPermission other) => this with
    {
        Configure = Wider(Configure, other.Configure),
        Write = Wider(Write, other.Write),
        Read = Wider(Read, other.Read),
    };

    private static PermissionPattern Wider(PermissionPattern a, PermissionPattern b) =>
        a.Text == ".*" || !b.AllowsAnything ? a : b.Text == ".*" || !a.AllowsAnything ? b : PermissionPattern.Parse($"(?:{a.Text})|(?:{b.Text})");
}
