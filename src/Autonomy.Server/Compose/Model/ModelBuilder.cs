using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Compose.Output;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Model;

/// <summary>Builds the typed model from the resolved, normalized tree (whose shapes the loader has already checked).</summary>
internal static class ModelBuilder
{
    public static ComposeProject Build(MappingNode root, string name, string projectDirectory, IReadOnlyList<string> files,
        IReadOnlyList<string> profiles, IReadOnlyDictionary<string, string> environment, IReadOnlyList<ComposeDiagnostic> warnings)
    {
        var services = (root["services"] as MappingNode)?.Entries.Select(e => Service(e.Key.Value!, (MappingNode)e.Value)).ToList() ?? [];
        return new ComposeProject(root)
        {
            Name = name,
            ProjectDirectory = projectDirectory,
            Files = files,
            ActiveProfiles = profiles,
            Services = services,
            Networks = Resources(root, "networks"),
            Volumes = Resources(root, "volumes"),
            Configs = Resources(root, "configs"),
            Secrets = Resources(root, "secrets"),
            Extensions = Extensions(root),
            Environment = environment,
            Warnings = warnings,
        };
    }

    private static ServiceDefinition Service(string name, MappingNode s) => new()
    {
        Name = name,
        Build = s["build"] is MappingNode b ? new BuildDefinition
        {
            Context = Text(b["context"])!,
            Dockerfile = Text(b["dockerfile"]),
            DockerfileInline = Text(b["dockerfile_inline"]),
            Target = Text(b["target"]),
            Args = Pairs(b["args"]),
        } : null,
        Image = Text(s["image"]),
        Command = Words(s["command"]),
        CommandText = (s["command"] as SequenceNode)?.ShellText,
        Entrypoint = Words(s["entrypoint"]),
        EntrypointText = (s["entrypoint"] as SequenceNode)?.ShellText,
        CommandWrittenAt = WrittenAt(s["command"]),
        EntrypointWrittenAt = WrittenAt(s["entrypoint"]),
        WorkingDir = Text(s["working_dir"]),
        Environment = Pairs(s["environment"]),
        Ports = Items(s["ports"]).Select(p => new PortMapping((int)Number(p["target"]), Text(p["published"]), Text(p["host_ip"]), Text(p["protocol"]) ?? "tcp", Text(p["mode"]) ?? "ingress")).ToList(),
        Expose = Words(s["expose"]) ?? [],
        DependsOn = (s["depends_on"] as MappingNode)?.Entries.ToDictionary(e => e.Key.Value!, e => Dependency((MappingNode)e.Value)) ?? [],
        HealthCheck = s["healthcheck"] is MappingNode h ? HealthCheck(h) : null,
        Restart = Restart(s),
        Replicas = (s["deploy"] as MappingNode)?["replicas"] is { } r ? (int)Number(r) : s["scale"] is { } scale ? (int)Number(scale) : 1,
        Profiles = Words(s["profiles"]) ?? [],
        Volumes = Items(s["volumes"]).Select(v => new VolumeMount(Text(v["type"])!, Text(v["source"]), Text(v["target"])!, v["read_only"] is ScalarNode { Value: "true" })).ToList(),
        Configs = Items(s["configs"]).Select(FileReference).ToList(),
        Secrets = Items(s["secrets"]).Select(FileReference).ToList(),
        StopGracePeriod = Text(s["stop_grace_period"]) is { } grace && GoDuration.TryParse(grace, out var g) ? g : TimeSpan.FromSeconds(10),
        StopSignal = Text(s["stop_signal"]) ?? "SIGTERM",
        Labels = Pairs(s["labels"]),
        Extensions = Extensions(s),
        Attributes = NodeJson.Object(s),
    };

    private static ServiceDependency Dependency(MappingNode d) => new(
        Text(d["condition"]) switch
        {
            "service_healthy" => DependencyCondition.ServiceHealthy,
            "service_completed_successfully" => DependencyCondition.ServiceCompletedSuccessfully,
            _ => DependencyCondition.ServiceStarted,
        },
        Text(d["required"]) != "false",
        Text(d["restart"]) == "true");

    private static HealthCheckDefinition HealthCheck(MappingNode h)
    {
        var test = Words(h["test"]) ?? [];
        return new HealthCheckDefinition
        {
            Test = test,
            Interval = Duration(h["interval"]) ?? TimeSpan.FromSeconds(30),
            Timeout = Duration(h["timeout"]) ?? TimeSpan.FromSeconds(30),
            Retries = h["retries"] is { } r ? (int)Number(r) : 3,
            StartPeriod = Duration(h["start_period"]) ?? TimeSpan.Zero,
            StartInterval = Duration(h["start_interval"]) ?? TimeSpan.FromSeconds(5),
            Disabled = Text(h["disable"]) == "true" || (test.Count > 0 && test[0] == "NONE"),
        };
    }

    private static RestartPolicy Restart(MappingNode s)
    {
        if ((s["deploy"] as MappingNode)?["restart_policy"] is MappingNode p)
        {
            var kind = Text(p["condition"]) switch
            {
                "none" => RestartKind.No,
                "on-failure" => RestartKind.OnFailure,
                _ => RestartKind.Always,
            };
            return new RestartPolicy(kind, p["max_attempts"] is { } m ? (int)Number(m) : null, Duration(p["delay"]), Duration(p["window"]));
        }
        var restart = Text(s["restart"]);
        return restart switch
        {
            null or "no" => RestartPolicy.No,
            "always" => new RestartPolicy(RestartKind.Always),
            "unless-stopped" => new RestartPolicy(RestartKind.UnlessStopped),
            _ => new RestartPolicy(RestartKind.OnFailure, restart.StartsWith("on-failure:", StringComparison.Ordinal) && int.TryParse(restart["on-failure:".Length..], System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null),
        };
    }

    private static FileReference FileReference(MappingNode f) => new(
        Text(f["source"])!, Text(f["target"]), Text(f["uid"]), Text(f["gid"]), f["mode"] is { } m ? (int)Number(m) : null);

    private static Dictionary<string, ResourceDefinition> Resources(MappingNode root, string section) =>
        (root[section] as MappingNode)?.Entries.ToDictionary(e => e.Key.Value!, e =>
        {
            var r = e.Value as MappingNode ?? new MappingNode(e.Value.Location);
            return new ResourceDefinition
            {
                Key = e.Key.Value!,
                Name = Text(r["name"]),
                External = Text(r["external"]) == "true",
                File = Text(r["file"]),
                Environment = Text(r["environment"]),
                Content = Text(r["content"]),
                Driver = Text(r["driver"]),
                Extensions = Extensions(r),
            };
        }, StringComparer.Ordinal) ?? new Dictionary<string, ResourceDefinition>(StringComparer.Ordinal);

    private static Dictionary<string, JsonNode?> Extensions(MappingNode m) =>
        m.Entries.Where(e => e.Key.Value!.StartsWith("x-", StringComparison.Ordinal)).ToDictionary(e => e.Key.Value!, e => NodeJson.ToJson(e.Value), StringComparer.Ordinal);

    private static IEnumerable<MappingNode> Items(YamlNode? node) => (node as SequenceNode)?.Items.OfType<MappingNode>() ?? [];

    private static string? Text(YamlNode? node) => (node as ScalarNode)?.Value;

    private static long Number(YamlNode? node) => node is ScalarNode { Value: { } t } && CoreSchema.TryParseInteger(t, out var n) ? n : 0;

    private static TimeSpan? Duration(YamlNode? node) => Text(node) is { } t && GoDuration.TryParse(t, out var d) ? d : null;

    private static List<string>? Words(YamlNode? node) => (node as SequenceNode)?.Items.OfType<ScalarNode>().Select(i => i.Value ?? "").ToList();

    private static Dictionary<string, string?> Pairs(YamlNode? node) =>
        (node as MappingNode)?.Entries.ToDictionary(e => e.Key.Value!, e => (e.Value as ScalarNode)?.Value, StringComparer.Ordinal) ?? new Dictionary<string, string?>(StringComparer.Ordinal);

    // Relative to where autonomy runs (as its diagnostics are), so that messages stay short.
    private static string? WrittenAt(YamlNode? node) => node is { Location.IsKnown: true } ? node.Location.ToString(Environment.CurrentDirectory) : null;
}
