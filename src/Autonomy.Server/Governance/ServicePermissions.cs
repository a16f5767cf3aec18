using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Governance;

/// <summary>
/// What a service's own token may do: read and write its config namespace, read the shared one,
/// see its own status, use its own broker vhost (read, consume, write, configure), find every service in the registry, read the stored
/// secrets compose gives it (by their names in the store: a
/// file or environment secret is delivered as a file and is no stored secret); and whatever its
/// <c>x-autonomy.grants</c> adds (a list of permission names, checked when the file is loaded).
/// </summary>
public static class ServicePermissions
{
    public const string GrantsField = "grants";

    public static PermissionSet For(ComposeProject project, ServiceDefinition service) => PermissionSet.Of(Defaults(service.Name)
        .Concat(Secrets.SecretGrants.Of(project, service).Select(name => new Permission("secrets:read", name)))
        .Concat(Grants(service)));

    /// <summary>A service's permissions when only its name is known (a service no longer in the project).</summary>
    public static PermissionSet ForName(string service) => PermissionSet.Of(Defaults(service));

    private static IEnumerable<Permission> Defaults(string service) =>
    [
        new("config:read", service),
        new("config:write", service),
        new("config:read", Config.ConfigCenter.Shared),
        new("services:read", service),
        new("messaging:read", service),
        new("messaging:consume", service),
        new("messaging:write", service),
        new("messaging:configure", service),
        // Any service may find any other: discovery is how they reach each other.
        new("registry:read", null),
    ];

    /// <summary>The permissions <c>x-autonomy.grants</c> lists; the loader has reported any that are not permissions.</summary>
    public static IEnumerable<Permission> Grants(ServiceDefinition service)
    {
        if (!service.Extensions.TryGetValue("x-autonomy", out var node) || node is not JsonObject autonomy || autonomy[GrantsField] is not JsonArray grants)
        {
            yield break;
        }
        foreach (var grant in grants)
        {
            if (grant is JsonValue value && value.TryGetValue<string>(out var text) && Permission.TryParse(text, out var permission, out _))
            {
                yield return permission;
            }
        }
    }
}
