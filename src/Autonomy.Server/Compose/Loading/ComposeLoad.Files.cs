using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ComposeLoad
{
    /// <summary>
    /// One file of the project, with what it includes under it and its services' extends applied.
    /// <paramref name="baseDirectory"/> is where its relative paths start (the project directory).
    /// </summary>
    private MappingNode LoadFile(string path, string baseDirectory, ProjectEnvironment environment, IReadOnlyList<string> includeChain, SourceLocation from = default)
    {
        var root = ReadRoot(path, environment, from);
        if (root is null)
        {
            return new MappingNode(new SourceLocation(path, 0, 0));
        }
        var normalizer = new ServiceNormalizer(_checks, baseDirectory, HomeDirectory);
        var file = new ComposeFile(path, root, normalizer, environment);

        MappingNode? included = null;
        if (root["include"] is { } include)
        {
            included = LoadIncludes(include, baseDirectory, environment, [.. includeChain, path]);
        }

        var result = new MappingNode(root.Location);
        foreach (var (key, value) in root.Entries)
        {
            switch (key.Value)
            {
                case "include":
                    break;
                case "version":
                    _diagnostics.Warning(key.Location, "version", "the top-level 'version' is obsolete and ignored", "remove it; the Compose Specification has no versions");
                    break;
                case "name":
                    if (_checks.Text(value, "name") is { } name)
                    {
                        result.Add(key, ScalarNode.Text(name, value.Location));
                    }
                    break;
                case "services":
                    var services = LoadServices(file, value);
                    services.Tag = value.Tag;
                    result.Add(key, services);
                    break;
                case "networks" or "volumes" or "configs" or "secrets":
                    if (new ResourceNormalizer(_checks, normalizer).Normalize(key.Value, value) is { } section)
                    {
                        section.Tag = value.Tag;
                        result.Add(key, section);
                    }
                    break;
                default:
                    result.Add(key, value);
                    break;
            }
        }
        return included is null ? result : ComposeMerger.MergeRoots(included, result);
    }

    private MappingNode LoadServices(ComposeFile file, YamlNode value)
    {
        var services = new MappingNode(value.Location);
        if (value is ScalarNode { Value: null } || _checks.Mapping(value, "services") is not { } map)
        {
            return services;
        }
        foreach (var (key, _) in map.Entries)
        {
            var name = key.Value!;
            if (!ServiceNamePattern().IsMatch(name))
            {
                _checks.Error(key, $"services.{name}", $"'{name}' is not a valid service name",
                    "use letters, digits, '.', '_' and '-', starting with a letter or digit");
            }
            var service = ResolveExtends(file, name, []);
            ServiceNormalizer.EnforceUniqueEntries(service);
            services.Add(key, service);
            _serviceEnvironments.TryAdd(name, file.Environment);
        }
        return services;
    }

    /// <summary>
    /// Each <c>include</c> entry is a project of its own: its own project directory, its own env
    /// files (the shell still wins), its own relative paths. What they define is merged, and the
    /// same service defined differently by two of them is an error.
    /// </summary>
    private MappingNode? LoadIncludes(YamlNode include, string baseDirectory, ProjectEnvironment parentEnvironment, IReadOnlyList<string> chain)
    {
        if (include is not SequenceNode entries)
        {
            _checks.Error(include, "include", $"include must be a list, not {include.Describe()}", "write '- path/to/compose.yaml' for each file");
            return null;
        }
        MappingNode? result = null;
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Items.Count; i++)
        {
            var entry = entries.Items[i];
            var path = $"include.{i}";
            List<ScalarNode>? paths;
            List<ScalarNode> envFiles = [];
            string? projectDirectory = null;
            if (entry is ScalarNode { Value: not null } single)
            {
                paths = [single];
            }
            else if (_checks.Mapping(entry, path) is { } map)
            {
                paths = map["path"] is { } p ? _checks.TextList(p, $"{path}.path", allowSingle: true) : null;
                if (map["path"] is null)
                {
                    _checks.Error(map, path, $"{path} does not name the file to include", "add 'path: ./other/compose.yaml'");
                }
                if (map["env_file"] is { } ef)
                {
                    envFiles = _checks.TextList(ef, $"{path}.env_file", allowSingle: true) ?? [];
                }
                if (map["project_directory"] is { } dir)
                {
                    projectDirectory = _checks.Text(dir, $"{path}.project_directory");
                }
                foreach (var key in map.Keys.Where(k => k is not ("path" or "env_file" or "project_directory") && !k.StartsWith("x-", StringComparison.Ordinal)))
                {
                    _checks.Error(map.KeyNode(key)!, $"{path}.{key}", $"{path} has an unknown key '{key}'", "an include entry takes path, project_directory and env_file");
                }
            }
            else
            {
                continue;
            }
            if (paths is null || paths.Count == 0)
            {
                continue;
            }

            var files = paths.Select(p => (Node: p, Full: Path.GetFullPath(p.Value!, baseDirectory))).ToList();
            var directory = projectDirectory is null ? Path.GetDirectoryName(files[0].Full)! : Path.GetFullPath(projectDirectory, baseDirectory);
            var envSources = envFiles.Count > 0
                ? envFiles.Select(f => (Path.GetFullPath(f.Value!, baseDirectory), f.Location, true))
                : File.Exists(Path.Combine(directory, ".env")) ? [(Path.Combine(directory, ".env"), entry.Location, true)] : Array.Empty<(string, SourceLocation, bool)>();
            // The including project's variables win; the include's env files only add what it lacks (as compose-go).
            var environment = parentEnvironment.WithFallback(ProjectEnvironment.Load(_shell, envSources, _diagnostics));

            MappingNode? project = null;
            foreach (var (node, full) in files)
            {
                if (chain.Contains(full))
                {
                    _checks.Error(node, path, $"include cycle: {string.Join(" -> ", chain.Append(full).Select(Path.GetFileName))}",
                        "a file cannot include itself, directly or through other files; remove one include of the cycle");
                    continue;
                }
                if (!File.Exists(full))
                {
                    _checks.Error(node, path, $"the included file '{node.Value}' does not exist ({full})", "check the path; it is relative to the including file's project directory");
                    continue;
                }
                var loaded = LoadFile(full, directory, environment, chain, node.Location);
                project = project is null ? loaded : ComposeMerger.MergeRoots(project, loaded);
            }
            if (project is null)
            {
                continue;
            }
            ApplyBuildDefaults(project, directory);
            // An include brings resources only: its name, version and x- sections stay its own.
            foreach (var key in project.Keys.Where(k => k is not ("services" or "networks" or "volumes" or "configs" or "secrets" or "models")).ToList())
            {
                project.Remove(key);
            }
            result = result is null ? project : MergeIncluded(result, project, origin, paths[0]);
            foreach (var service in (project["services"] as MappingNode)?.Keys ?? [])
            {
                origin.TryAdd(service, paths[0].Value!);
            }
        }
        return result;
    }

    /// <summary>Two includes may bring the same definition (a shared file included twice), never two different ones.</summary>
    private MappingNode MergeIncluded(MappingNode into, MappingNode next, Dictionary<string, string> origin, ScalarNode includedBy)
    {
        foreach (var section in new[] { "services", "networks", "volumes", "configs", "secrets" })
        {
            if (into[section] is not MappingNode existing || next[section] is not MappingNode added)
            {
                continue;
            }
            foreach (var (key, value) in added.Entries)
            {
                if (existing[key.Value!] is { } before && ComposeMerger.Canonical(before) != ComposeMerger.Canonical(value))
                {
                    var first = origin.TryGetValue(key.Value!, out var o) ? o : "an earlier include";
                    _checks.Error(includedBy, $"{section}.{key.Value}",
                        $"{section}.{key.Value} is defined differently by two included files ('{first}' and '{includedBy.Value}')",
                        $"define it in one of them only, or define it in the including file with '!override' to choose one");
                }
            }
        }
        return ComposeMerger.MergeRoots(into, next);
    }

    /// <summary>A service with its <c>extends</c> chain applied, base first; cycles and missing services reported.</summary>
    private MappingNode ResolveExtends(ComposeFile file, string name, IReadOnlyList<string> stack)
    {
        var service = file.Normalized(name);
        if (file.IsResolved(name) || service["extends"] is not MappingNode extends)
        {
            file.SetResolved(name, service);
            return service;
        }
        var own = (MappingNode)service.DeepClone();
        own.Remove("extends");
        var id = $"{file.Path}#{name}";
        var baseName = (extends["service"] as ScalarNode)?.Value;
        if (baseName is null)
        {
            file.SetResolved(name, own);
            return own;
        }
        if (stack.Contains(id))
        {
            _checks.Error(extends, $"services.{name}.extends", $"extends cycle: {string.Join(" -> ", stack.Append(id).Select(s => s[(s.IndexOf('#') + 1)..]))}",
                "a service cannot extend itself, directly or through others");
            file.SetResolved(name, own);
            return own;
        }
        var target = file;
        if (extends["file"] is ScalarNode { Value: { } otherPath })
        {
            target = ExtendedFile(otherPath, file.Environment, extends["file"]!.Location);
            if (target is null)
            {
                file.SetResolved(name, own);
                return own;
            }
        }
        if (!target.Services.ContainsKey(baseName))
        {
            var where = target == file ? "this file" : target.Path;
            var suggestion = NameSuggestion.Closest(baseName, target.Services.Keys);
            _checks.Error(extends["service"]!, $"services.{name}.extends.service", $"the service '{name}' extends '{baseName}', which is not defined in {where}",
                suggestion is null ? $"services defined there: {string.Join(", ", target.Services.Keys)}" : $"did you mean '{suggestion}'?");
            file.SetResolved(name, own);
            return own;
        }
        var baseService = ResolveExtends(target, baseName, [.. stack, id]);
        var merged = (MappingNode?)ComposeMerger.MergeService(baseService, own) ?? own;
        merged.Remove("extends");
        file.SetResolved(name, merged);
        return merged;
    }

    /// <summary>A file read to extend one of its services: interpolated with the extending project's variables, paths from its own folder.</summary>
    private ComposeFile? ExtendedFile(string path, ProjectEnvironment environment, SourceLocation from)
    {
        var key = $"{path}\n{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(environment)}";
        if (_extendedFiles.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var root = ReadRoot(path, environment, from);
        if (root is null)
        {
            return null;
        }
        var file = new ComposeFile(path, root, new ServiceNormalizer(_checks, Path.GetDirectoryName(path)!, HomeDirectory), environment);
        _extendedFiles[key] = file;
        return file;
    }

    /// <summary>What '~' means in paths: the HOME of the environment the project is loaded in.</summary>
    private string HomeDirectory => _shell.TryGetValue("HOME", out var home) && home.Length > 0 ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9._-]*$")]
    private static partial System.Text.RegularExpressions.Regex ServiceNamePattern();
}
