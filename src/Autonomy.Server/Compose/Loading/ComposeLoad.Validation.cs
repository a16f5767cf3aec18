using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ComposeLoad
{
    /// <summary>Every name a service uses (other services, volumes, networks, configs, secrets) must be defined.</summary>
    private void ValidateReferences(MappingNode root)
    {
        if (root["services"] is not MappingNode services)
        {
            return;
        }
        var serviceNames = services.Keys.ToList();
        foreach (var (nameNode, value) in services.Entries)
        {
            if (value is not MappingNode service)
            {
                continue;
            }
            var name = nameNode.Value!;
            void ServiceReference(ScalarNode at, string field, string target)
            {
                if (!serviceNames.Contains(target))
                {
                    var suggestion = NameSuggestion.Closest(target, serviceNames.Where(s => s != name));
                    _checks.Error(at, $"services.{name}.{field}", $"the service '{name}' refers to '{target}' in {field}, but no service '{target}' is defined",
                        suggestion is null ? $"define the service '{target}', or remove it from {field}" : $"did you mean '{suggestion}'?");
                }
            }
            foreach (var (dependency, _) in (service["depends_on"] as MappingNode)?.Entries ?? [])
            {
                ServiceReference(dependency, "depends_on", dependency.Value!);
            }
            foreach (var link in (service["links"] as SequenceNode)?.Items.OfType<ScalarNode>() ?? [])
            {
                ServiceReference(link, "links", link.Value!.Split(':')[0]);
            }
            foreach (var source in (service["volumes_from"] as SequenceNode)?.Items.OfType<ScalarNode>() ?? [])
            {
                if (!source.Value!.StartsWith("container:", StringComparison.Ordinal))
                {
                    ServiceReference(source, "volumes_from", source.Value.Split(':')[0]);
                }
            }
            foreach (var field in new[] { "network_mode", "ipc", "pid" })
            {
                if (service[field] is ScalarNode { Value: { } mode } at && mode.StartsWith("service:", StringComparison.Ordinal))
                {
                    ServiceReference(at, field, mode["service:".Length..]);
                }
            }
            foreach (var mount in (service["volumes"] as SequenceNode)?.Items.OfType<MappingNode>() ?? [])
            {
                if (mount["type"] is ScalarNode { Value: "volume" } && mount["source"] is ScalarNode { Value: { } volume } at)
                {
                    Declared(root, "volumes", volume, at, $"services.{name}.volumes", name);
                }
            }
            foreach (var section in new[] { "configs", "secrets" })
            {
                foreach (var reference in (service[section] as SequenceNode)?.Items.OfType<MappingNode>() ?? [])
                {
                    if (reference["source"] is ScalarNode { Value: { } source } at)
                    {
                        Declared(root, section, source, at, $"services.{name}.{section}", name);
                    }
                }
            }
            foreach (var (network, _) in (service["networks"] as MappingNode)?.Entries ?? [])
            {
                if (network.Value != "default")
                {
                    Declared(root, "networks", network.Value!, network, $"services.{name}.networks", name);
                }
            }
        }
    }

    private void Declared(MappingNode root, string section, string name, ScalarNode at, string path, string service)
    {
        var declared = (root[section] as MappingNode)?.Keys.ToList() ?? [];
        if (declared.Contains(name))
        {
            return;
        }
        var suggestion = NameSuggestion.Closest(name, declared);
        var singular = section.TrimEnd('s');
        _checks.Error(at, path, $"the service '{service}' uses the {singular} '{name}', which is not declared in the top-level '{section}' section",
            suggestion is not null ? $"did you mean '{suggestion}'?" : section is "volumes" or "networks"
                ? $"add it at the top level: '{section}:' then '  {name}:'"
                : $"add it at the top level: '{section}:' then '  {name}:' with 'file: ./{name}.txt'{(section == "secrets" ? " or 'external: true'" : "")}");
    }

    /// <summary>depends_on must form no cycle; each cycle is reported once, naming every service on it.</summary>
    private void CheckDependencyCycles(MappingNode root)
    {
        if (root["services"] is not MappingNode services)
        {
            return;
        }
        var edges = services.Entries.ToDictionary(
            e => e.Key.Value!,
            e => ((e.Value as MappingNode)?["depends_on"] as MappingNode)?.Entries.Select(d => d.Key).Where(d => services.ContainsKey(d.Value!)).ToList() ?? [],
            StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var stack = new List<string>();

        void Visit(string service)
        {
            state[service] = 1;
            stack.Add(service);
            foreach (var dependency in edges[service])
            {
                var next = dependency.Value!;
                if (state.GetValueOrDefault(next) == 1)
                {
                    var cycle = stack.Skip(stack.IndexOf(next)).Append(next).ToList();
                    if (reported.Add(string.Join(",", cycle.Skip(1).Order(StringComparer.Ordinal))))
                    {
                        _checks.Error(dependency, $"services.{service}.depends_on", $"dependency cycle: {string.Join(" -> ", cycle)}",
                            "services cannot wait for each other in a circle; remove one of these depends_on entries");
                    }
                }
                else if (state.GetValueOrDefault(next) == 0)
                {
                    Visit(next);
                }
            }
            stack.RemoveAt(stack.Count - 1);
            state[service] = 2;
        }

        foreach (var service in edges.Keys)
        {
            if (state.GetValueOrDefault(service) == 0)
            {
                Visit(service);
            }
        }
    }

    /// <summary>One warning per attribute that only a container engine could honour, naming the services that use it.</summary>
    private void WarnAboutContainerOnlyFields(MappingNode root)
    {
        if (root["services"] is not MappingNode services)
        {
            return;
        }
        var uses = new Dictionary<string, (SourceLocation First, List<string> Services)>(StringComparer.Ordinal);
        foreach (var (name, value) in services.Entries)
        {
            foreach (var (key, _) in (value as MappingNode)?.Entries ?? [])
            {
                if (ServiceFields.All.TryGetValue(key.Value!, out var field) && field.ContainerOnly)
                {
                    if (!uses.TryGetValue(key.Value!, out var use))
                    {
                        uses[key.Value!] = use = (key.Location, []);
                    }
                    use.Services.Add(name.Value!);
                }
            }
        }
        foreach (var (field, (first, users)) in uses)
        {
            _diagnostics.Warning(first, field, $"'{field}' (in {string.Join(", ", users)}) has no effect: {ServiceFields.WhyIgnored(field)}");
        }
    }
}
