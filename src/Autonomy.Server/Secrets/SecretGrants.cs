using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Secrets;

/// <summary>Which stored (external) secrets each service of a compose project is granted, by their names in the store.</summary>
public static class SecretGrants
{
    /// <summary>The store names of the external secrets <paramref name="service"/> lists under its <c>secrets:</c>.</summary>
    public static IReadOnlySet<string> Of(ComposeProject project, ServiceDefinition service) =>
        service.Secrets.Select(r => project.Secrets.GetValueOrDefault(r.Source))
            .Where(d => d is { External: true })
            .Select(d => d!.Name ?? d.Key)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The store name of every external secret the project declares, with the services granted it (maybe none).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> UsedBy(ComposeProject project)
    {
        var users = project.Secrets.Values.Where(d => d.External).Select(d => d.Name ?? d.Key).Distinct(StringComparer.Ordinal)
            .ToDictionary(n => n, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var service in project.Services)
        {
            foreach (var name in Of(project, service))
            {
                users[name].Add(service.Name);
            }
        }
        return users.ToDictionary(u => u.Key, u => (IReadOnlyList<string>)u.Value, StringComparer.Ordinal);
    }
}
