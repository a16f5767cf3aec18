using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.EnvFiles;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// The variables a compose file is interpolated with: the shell environment, then the project's
/// env files for what the shell does not set (the shell always wins, as the spec says).
/// An included project gets its own, so that its env_file is seen by its services only.
/// </summary>
internal sealed class ProjectEnvironment
{
    private readonly Dictionary<string, string> _values;

    private ProjectEnvironment(Dictionary<string, string> values) => _values = values;

    public IReadOnlyDictionary<string, string> Values => _values;

    public string? Lookup(string name) => _values.TryGetValue(name, out var v) ? v : null;

    /// <summary>These variables, and for names they lack, those of <paramref name="parent"/> (an include's project over the including one).</summary>
    public ProjectEnvironment WithFallback(ProjectEnvironment parent)
    {
        var values = new Dictionary<string, string>(_values, StringComparer.Ordinal);
        foreach (var (key, value) in parent._values)
        {
            values.TryAdd(key, value);
        }
        return new ProjectEnvironment(values);
    }

    public static ProjectEnvironment FromShell(IReadOnlyDictionary<string, string> shell) => new(new Dictionary<string, string>(shell, StringComparer.Ordinal));

    /// <summary>The shell environment plus <paramref name="envFiles"/>, read in order; later files see earlier ones.</summary>
    public static ProjectEnvironment Load(IReadOnlyDictionary<string, string> shell, IEnumerable<(string Path, SourceLocation From, bool Required)> envFiles, DiagnosticBag diagnostics)
    {
        var values = new Dictionary<string, string>(shell, StringComparer.Ordinal);
        var fromFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, from, required) in envFiles)
        {
            foreach (var (key, value) in ReadEnvFile(path, from, required, name => shell.TryGetValue(name, out var s) ? s : null,
                name => fromFiles.TryGetValue(name, out var f) ? f : null, diagnostics))
            {
                if (value is not null)
                {
                    fromFiles[key] = value;
                }
            }
        }
        foreach (var (key, value) in fromFiles)
        {
            values.TryAdd(key, value);
        }
        return new ProjectEnvironment(values);
    }

    /// <summary>
    /// Reads one env file into ordered key/values, reporting a missing or malformed file at <paramref name="from"/>.
    /// Its values are interpolated from <paramref name="lookup"/> first, then its own earlier lines, then <paramref name="earlierFiles"/>.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> ReadEnvFile(string path, SourceLocation from, bool required,
        Func<string, string?> lookup, Func<string, string?> earlierFiles, DiagnosticBag diagnostics)
    {
        if (Directory.Exists(path))
        {
            diagnostics.Error(from, "env_file", $"the env file '{path}' is a directory, not a file", "name a file of KEY=VALUE lines");
            return [];
        }
        if (!File.Exists(path))
        {
            if (required)
            {
                diagnostics.Error(from, "env_file", $"the env file '{path}' does not exist",
                    "create it, fix the path (relative paths start from the compose file's folder), or mark it optional with 'required: false'");
            }
            return [];
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(from, "env_file", $"the env file '{path}' cannot be read: {e.Message}", "check the file's permissions");
            return [];
        }
        try
        {
            return DotEnvParser.Parse(text, lookup, earlierFiles).Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)).ToList();
        }
        catch (DotEnvException e)
        {
            diagnostics.Error(new SourceLocation(path, e.Line, e.Column), "env_file", e.Message);
            return [];
        }
    }
}
