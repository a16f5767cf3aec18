using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Runtime.Planning;

internal sealed partial class ServicePlanner
{
    private static readonly string[] Formats = ["ini", "json", "yaml", "env", "properties"];

    private static readonly Dictionary<string, int> Signals = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["USR1"] = 10, ["USR2"] = 12, ["TERM"] = 15,
    };

    /// <summary>The service's configs as files: each source checked now, so that a missing file is an error before anything starts.</summary>
    private List<ConfigFilePlan> ConfigFiles(ServiceDefinition service, string workingDirectory, string baseDirectory, string? imageWorkDir)
    {
        var files = new List<ConfigFilePlan>();
        foreach (var reference in service.Configs)
        {
            if (!project.Configs.TryGetValue(reference.Source, out var definition))
            {
                Problem(service, $"it uses config '{reference.Source}', which the top-level configs section does not define", $"add '{reference.Source}:' under 'configs:' with a file, content or x-autonomy.namespace");
                continue;
            }
            if (Source(service, definition) is not { } source)
            {
                continue;
            }
            var target = reference.Target ?? "/" + reference.Source;
            var fileName = Path.GetFileName(target.TrimEnd('/'));
            var link = !Path.IsPathRooted(target) ? Path.GetFullPath(target, workingDirectory) : MapImagePath(target, baseDirectory, imageWorkDir)
                ?? (target.StartsWith(workingDirectory + "/", StringComparison.Ordinal) ? target : null);
            files.Add(new ConfigFilePlan(reference.Source, fileName.Length > 0 ? fileName : reference.Source, link, source, reference.Mode));
        }
        if (files.GroupBy(f => f.FileName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            Problem(service, $"two of its configs end in the same file name '{clash.Key}' ({string.Join(", ", clash.Select(f => f.Name))})", "give them targets with different file names");
        }
        return files;
    }

    private ConfigFileSource? Source(ServiceDefinition service, ResourceDefinition definition)
    {
        var autonomy = definition.Extensions.TryGetValue("x-autonomy", out var node) ? node as JsonObject : null;
        if (autonomy?["namespace"] is JsonValue ns && ns.TryGetValue<string>(out var name))
        {
            var format = autonomy["format"] is JsonValue f && f.TryGetValue<string>(out var given) ? given.ToLowerInvariant() : "json";
            if (!Formats.Contains(format))
            {
                Problem(service, $"config '{definition.Key}' asks for format '{format}'", $"use one of {string.Join(", ", Formats)}");
                return null;
            }
            var onChange = autonomy["on_change"] is JsonValue c && c.TryGetValue<string>(out var action) ? action : "none";
            if (OnChange(onChange) is not { } parsed)
            {
                Problem(service, $"config '{definition.Key}' has on_change '{onChange}'", "use none, restart, or signal:HUP (signal:USR1, signal:USR2… also work)");
                return null;
            }
            return new NamespaceConfigSource(name, format, parsed);
        }
        if (definition.External)
        {
            Problem(service, $"config '{definition.Key}' is external, which needs a swarm", $"keep it in the config center instead: x-autonomy: {{namespace: {definition.Key}, format: …}}");
            return null;
        }
        if (definition.File is { } path)
        {
            if (!File.Exists(path))
            {
                Problem(service, $"config '{definition.Key}' is the file {path}, which does not exist", "create it, or point file: at the right path");
                return null;
            }
            return new FileConfigSource(path);
        }
        if (definition.Content is { } content)
        {
            return new TextConfigSource(content);
        }
        if (definition.Environment is { } variable)
        {
            if (!project.Environment.TryGetValue(variable, out var value))
            {
                Problem(service, $"config '{definition.Key}' takes its content from ${variable}, which is not set", $"set {variable} in the shell or the project's .env");
                return null;
            }
            return new TextConfigSource(value);
        }
        Problem(service, $"config '{definition.Key}' says neither file, content, environment nor x-autonomy.namespace", "give it one of them");
        return null;
    }

    internal static ConfigChangeAction? OnChange(string text) => text switch
    {
        "none" => ConfigChangeAction.None,
        "restart" => ConfigChangeAction.Restart,
        _ when text.StartsWith("signal:", StringComparison.Ordinal) && Signals.TryGetValue(text["signal:".Length..].Replace("SIG", "", StringComparison.OrdinalIgnoreCase), out var number)
            => new ConfigChangeAction("signal", number),
        _ => null,
    };
}
