using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Governance;

/// <summary>
/// The roles a token can have: <c>admin</c> (everything), <c>read-only</c> (sees everything but
/// secret values, changes nothing), <c>service:NAME</c> (what that service's replicas may do) and
/// <c>external:NAME</c> (an instance of NAME running elsewhere: registers itself in the registry and reads it).
/// </summary>
public static class Roles
{
    public const string Admin = "admin";

    public const string ReadOnly = "read-only";

    public const string ServicePrefix = "service:";

    /// <summary>An instance of a service that runs outside Autonomy: it registers itself and finds the others, nothing more.</summary>
    public const string ExternalPrefix = "external:";

    private static readonly PermissionSet ReadOnlySet = PermissionSet.Of(
        new[] { "config:read", "secrets:list", "services:read", "databases:read", "logs:read", "tokens:read", "audit:read", "messaging:read", "registry:read" }.Select(Permission.Parse));

    public static string Service(string name) => ServicePrefix + name;

    /// <summary>What <paramref name="role"/> may do in <paramref name="project"/>, or null with <paramref name="problem"/> saying why it is not a role.</summary>
    public static PermissionSet? Resolve(string role, ComposeProject project, out string? problem)
    {
        problem = null;
        switch (role)
        {
            case Admin:
                return PermissionSet.Everything;
            case ReadOnly:
                return ReadOnlySet;
        }
        if (role.StartsWith(ServicePrefix, StringComparison.Ordinal))
        {
            var name = role[ServicePrefix.Length..];
            if (project.Services.FirstOrDefault(s => s.Name == name) is { } service)
            {
                return ServicePermissions.For(project, service);
            }
            var names = project.Services.Select(s => s.Name).Order(StringComparer.Ordinal);
            problem = $"there is no service '{name}' in this project; its services are {string.Join(", ", names)}";
            return null;
        }
        if (role.StartsWith(ExternalPrefix, StringComparison.Ordinal))
        {
            var name = role[ExternalPrefix.Length..];
            if (Permission.TryParse($"registry:write:{name}", out var write, out _))
            {
                return PermissionSet.Of([write, new Permission("registry:read", null)]);
            }
            problem = $"'{name}' is not a service name (letters, digits, '.', '_' and '-', starting with a letter or digit)";
            return null;
        }
        problem = $"'{role}' is not a role: use admin, read-only or service:NAME (NAME a service of this project), or external:NAME for an instance of NAME that runs outside Autonomy";
        return null;
    }

    /// <summary>A role's permissions for a token made earlier: a service since removed from the project keeps its defaults.</summary>
    public static PermissionSet ResolveKnown(string role, ComposeProject project) =>
        Resolve(role, project, out _) ?? (role.StartsWith(ServicePrefix, StringComparison.Ordinal)
            ? ServicePermissions.ForName(role[ServicePrefix.Length..])
            : PermissionSet.Of([]));
}
