using System.Text.RegularExpressions;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ComposeLoad
{
    /// <summary><c>-p</c>, else <c>COMPOSE_PROJECT_NAME</c>, else <c>name:</c>, else the project folder's name made valid.</summary>
    private string ProjectName(MappingNode root, ProjectEnvironment environment, string projectDirectory)
    {
        var (given, where) = _options.ProjectName is { Length: > 0 } p ? (p, "-p")
            : environment.Lookup("COMPOSE_PROJECT_NAME") is { Length: > 0 } e ? (e, "COMPOSE_PROJECT_NAME")
            : root["name"] is ScalarNode { Value: { Length: > 0 } n } ? (n, "name") : (null, null);
        if (given is null)
        {
            var fromFolder = Regex.Replace(Path.GetFileName(projectDirectory.TrimEnd('/')).ToLowerInvariant(), "[^a-z0-9_-]", "");
            fromFolder = fromFolder.TrimStart('-', '_');
            return fromFolder.Length > 0 ? fromFolder : "default";
        }
        if (!ProjectNamePattern().IsMatch(given))
        {
            var location = where == "name" ? root["name"]!.Location : SourceLocation.None;
            _diagnostics.Error(location, "name", $"the project name '{given}' (from {where}) is not valid",
                "use lowercase letters, digits, '-' and '_', starting with a letter or digit");
        }
        return given;
    }

    private static void ApplyBuildDefaults(MappingNode root, string projectDirectory)
    {
        foreach (var (_, value) in (root["services"] as MappingNode)?.Entries ?? [])
        {
            if (value is MappingNode service && service["build"] is MappingNode build)
            {
                service.Set("build", ServiceNormalizer.WithDefaults(build, projectDirectory));
            }
        }
    }

    private List<string> ActiveProfiles(ProjectEnvironment environment)
    {
        var profiles = new List<string>();
        if (environment.Lookup("COMPOSE_PROFILES") is { } fromEnv)
        {
            profiles.AddRange(fromEnv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        profiles.AddRange(_options.Profiles.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        return [.. profiles.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Services with profiles run only when one of their profiles is active (<c>*</c> activates all).
    /// A required dependency on a service left out that way is an error that names the profile.
    /// </summary>
    private void ApplyProfiles(MappingNode root, List<string> active)
    {
        if (root["services"] is not MappingNode services)
        {
            return;
        }
        var disabled = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in services.Entries.ToList())
        {
            var profiles = (value as MappingNode)?["profiles"] is SequenceNode s ? s.Items.OfType<ScalarNode>().Select(i => i.Value!).ToList() : [];
            if (profiles.Count > 0 && !active.Contains("*") && !profiles.Any(active.Contains))
            {
                disabled[key.Value!] = profiles;
                services.Remove(key.Value!);
            }
        }
        foreach (var (name, value) in services.Entries)
        {
            if ((value as MappingNode)?["depends_on"] is not MappingNode dependsOn)
            {
                continue;
            }
            foreach (var (dependency, options) in dependsOn.Entries.ToList())
            {
                if (!disabled.TryGetValue(dependency.Value!, out var profiles))
                {
                    continue;
                }
                var required = (options as MappingNode)?["required"] is not ScalarNode { Value: "false" };
                if (required)
                {
                    _checks.Error(dependency, $"services.{name.Value}.depends_on.{dependency.Value}",
                        $"the service '{name.Value}' depends on '{dependency.Value}', which runs only with the profile {string.Join(" or ", profiles.Select(p => $"'{p}'"))}",
                        $"activate it with --profile {profiles[0]} (or COMPOSE_PROFILES={profiles[0]}), or mark the dependency 'required: false'");
                }
                // Reported once: the reference check would otherwise call it undefined.
                dependsOn.Remove(dependency.Value!);
            }
        }
    }

    /// <summary>
    /// Each service's <c>environment</c> as it will run: its env files in order, then its
    /// <c>environment</c> entries; an entry with no value takes the project's variable of that name.
    /// </summary>
    private void ResolveServiceEnvironments(MappingNode root, ProjectEnvironment mainEnvironment)
    {
        if (root["services"] is not MappingNode services)
        {
            return;
        }
        foreach (var (key, value) in services.Entries)
        {
            if (value is not MappingNode service || (service["env_file"] is null && service["environment"] is null))
            {
                continue;
            }
            var environment = _serviceEnvironments.GetValueOrDefault(key.Value!, mainEnvironment);
            var resolved = new MappingNode(service["environment"]?.Location ?? service.Location);
            foreach (var entry in (service["env_file"] as SequenceNode)?.Items.OfType<MappingNode>() ?? [])
            {
                var path = ((ScalarNode)entry["path"]!).Value!;
                var required = entry["required"] is not ScalarNode { Value: "false" };
                var read = ProjectEnvironment.ReadEnvFile(path, entry.Location, required,
                    environment.Lookup, name => (resolved[name] as ScalarNode)?.Value, _diagnostics);
                foreach (var (name, text) in read)
                {
                    if (text is not null)
                    {
                        resolved.Set(name, ScalarNode.Text(text, entry.Location));
                    }
                }
            }
            foreach (var (name, text) in (service["environment"] as MappingNode)?.Entries ?? [])
            {
                var scalar = (ScalarNode)text;
                resolved.Set(name.Value!, scalar.Value is null ? ScalarNode.Text(environment.Lookup(name.Value!), scalar.Location) : scalar, name.Location);
            }
            service.Set("environment", resolved);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex ProjectNamePattern();
}
