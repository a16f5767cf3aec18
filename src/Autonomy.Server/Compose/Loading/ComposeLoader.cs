using System.Collections;
using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// Loads a compose project the way the Compose Specification says: files merged in order, each
/// interpolated, its includes and extends applied, then profiles, env_file and references. Every
/// error found in one pass is reported together, each at its file, line and column.
/// </summary>
public static class ComposeLoader
{
    /// <exception cref="ComposeException">The files have errors; all of them are in its diagnostics.</exception>
    public static ComposeProject Load(ComposeLoadOptions options) => new ComposeLoad(options).Run();

    internal static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            result[(string)e.Key] = (string?)e.Value ?? "";
        }
        if (Hosting.InlineSocketCompletions.SetHere)
        {
            // The server's own setting, not the user's: services and the file's interpolation see the shell as it was.
            result.Remove(Hosting.InlineSocketCompletions.Variable);
        }
        return result;
    }
}

/// <summary>The state of one <see cref="ComposeLoader.Load"/> call.</summary>
internal sealed partial class ComposeLoad
{
    private static readonly HashSet<string> TopLevelKeys = ["name", "services", "networks", "volumes", "configs", "secrets", "include", "version", "models"];

    private readonly ComposeLoadOptions _options;
    private readonly DiagnosticBag _diagnostics = new();
    private readonly NodeChecks _checks;
    private readonly IReadOnlyDictionary<string, string> _shell;
    private readonly Dictionary<string, ComposeFile> _extendedFiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProjectEnvironment> _serviceEnvironments = new(StringComparer.Ordinal);

    public ComposeLoad(ComposeLoadOptions options)
    {
        _options = options;
        _checks = new NodeChecks(_diagnostics);
        _shell = options.Environment ?? ComposeLoader.ProcessEnvironment();
    }

    public ComposeProject Run()
    {
        var workingDirectory = Path.GetFullPath(_options.WorkingDirectory);
        var files = ResolveFiles(workingDirectory);
        _diagnostics.ThrowIfErrors();

        var projectDirectory = _options.ProjectDirectory is { } pd ? Path.GetFullPath(pd, workingDirectory) : Path.GetDirectoryName(files[0])!;
        var environment = ProjectEnvironment.Load(_shell, ProjectEnvFiles(workingDirectory, projectDirectory), _diagnostics);
        _diagnostics.ThrowIfErrors();

        MappingNode? merged = null;
        foreach (var file in files)
        {
            var loaded = LoadFile(file, projectDirectory, environment, []);
            merged = merged is null ? loaded : ComposeMerger.MergeRoots(merged, loaded);
        }
        ComposeMerger.StripDirectives(merged!);
        ApplyBuildDefaults(merged!, projectDirectory);

        var name = ProjectName(merged!, environment, projectDirectory);
        var profiles = ActiveProfiles(environment);
        ApplyProfiles(merged!, profiles);
        ResolveServiceEnvironments(merged!, environment);
        ValidateReferences(merged!);
        ValidateGrants(merged!);
        CheckDependencyCycles(merged!);
        WarnAboutContainerOnlyFields(merged!);
        ValidateDatabaseFields(merged!, projectDirectory);
        ValidateMessagingFields(merged!);
        _diagnostics.ThrowIfErrors();

        var root = new MappingNode(merged!.Location);
        root.Set("name", ScalarNode.Text(name, merged.Location));
        foreach (var (k, v) in merged.Entries.Where(e => e.Key.Value != "name"))
        {
            root.Add(k, v);
        }
        return ModelBuilder.Build(root, name, projectDirectory, files, profiles, environment.Values, _diagnostics.Sorted());
    }

    private List<string> ResolveFiles(string workingDirectory)
    {
        var named = _options.Files.ToList();
        // COMPOSE_FILE may come from the .env of the folder autonomy runs in, as with docker compose.
        var early = named.Count == 0 ? ProjectEnvironment.Load(_shell, ProjectEnvFiles(workingDirectory, workingDirectory), new DiagnosticBag()) : null;
        if (named.Count == 0 && early!.Lookup("COMPOSE_FILE") is { Length: > 0 } composeFile)
        {
            var separator = early.Lookup("COMPOSE_PATH_SEPARATOR") is { Length: > 0 } sep ? sep : ":";
            named = [.. composeFile.Split(separator, StringSplitOptions.RemoveEmptyEntries)];
        }
        if (named.Count == 0)
        {
            if (ComposeFileLocator.FindDefault(workingDirectory) is not { } found)
            {
                _diagnostics.Error(new SourceLocation(workingDirectory, 0, 0), "",
                    $"no compose file found in {workingDirectory} or its parent folders",
                    $"name one with -f FILE, or create one of: {string.Join(", ", ComposeFileLocator.DefaultNames)}");
                return [];
            }
            return ComposeFileLocator.OverrideFor(found) is { } over ? [found, over] : [found];
        }
        var files = new List<string>();
        foreach (var file in named)
        {
            var full = Path.GetFullPath(file, workingDirectory);
            if (Directory.Exists(full))
            {
                _diagnostics.Error(new SourceLocation(full, 0, 0), "", $"'{file}' is a folder, not a compose file", "name the file inside it, e.g. -f " + Path.Combine(file, "compose.yaml"));
            }
            else if (!File.Exists(full))
            {
                _diagnostics.Error(new SourceLocation(full, 0, 0), "", $"the compose file '{file}' does not exist", "check the path given with -f (or in COMPOSE_FILE)");
            }
            files.Add(full);
        }
        return files;
    }

    private IEnumerable<(string, SourceLocation, bool)> ProjectEnvFiles(string workingDirectory, string projectDirectory)
    {
        if (_options.EnvFiles.Count > 0)
        {
            return _options.EnvFiles.Select(f => (Path.GetFullPath(f, workingDirectory), new SourceLocation(Path.GetFullPath(f, workingDirectory), 0, 0), true));
        }
        var dotEnv = Path.Combine(projectDirectory, ".env");
        return File.Exists(dotEnv) ? [(dotEnv, new SourceLocation(dotEnv, 0, 0), true)] : [];
    }

    /// <summary>Reads, parses and interpolates one file; checks its top-level sections.</summary>
    private MappingNode? ReadRoot(string path, ProjectEnvironment environment, SourceLocation from)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _diagnostics.Error(from.IsKnown ? from : new SourceLocation(path, 0, 0), "",
                File.Exists(path) || Directory.Exists(path) ? $"'{path}' cannot be read: {e.Message}" : $"the file '{path}' does not exist",
                "check the path; relative paths start from the folder of the file that names them");
            return null;
        }
        var node = YamlTreeReader.Read(text, path, _diagnostics);
        if (node is null)
        {
            if (!_diagnostics.HasErrors)
            {
                _diagnostics.Error(new SourceLocation(path, 1, 1), "", "the compose file is empty", "add a 'services:' section");
            }
            return null;
        }
        if (node is not MappingNode root)
        {
            _diagnostics.Error(node, "", $"a compose file must be a mapping of sections (services:, volumes:, …), not {node.Describe()}", "start the file with 'services:'");
            return null;
        }
        foreach (var key in root.Entries.Select(e => e.Key).ToList())
        {
            var name = key.Value!;
            if (TopLevelKeys.Contains(name) || name.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }
            if (ServiceFields.All.ContainsKey(name))
            {
                _diagnostics.Error(key, name, $"'{name}' is a service attribute, not a top-level section",
                    $"move it under the service it belongs to: indent it below the service's name in 'services:'");
            }
            else
            {
                _diagnostics.Error(key, name, $"unknown top-level section '{name}'",
                    NameSuggestion.Closest(name, TopLevelKeys) is { } c ? $"did you mean '{c}'? Sections of your own must start with 'x-'"
                        : "a compose file has name, services, networks, volumes, configs, secrets and include; sections of your own start with 'x-'");
            }
            root.Remove(name);
        }
        TreeInterpolator.Apply(root, environment.Lookup, _diagnostics);
        return root;
    }
}
