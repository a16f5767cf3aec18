using Autonomy.Server.Runtime.Planning;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Writes each replica's compose configs into its own folder (<c>AUTONOMY_CONFIGS_DIR</c>) before
/// it starts, and the service's copy that a symlink at the config's target points to. Files are
/// replaced atomically (write, then rename), so a reader never sees half a file.
/// </summary>
public sealed class ReplicaConfigFiles(string stateDirectory, List<string> warnings)
{
    private readonly string _root = Path.Combine(stateDirectory, "configs");

    // Replicas start side by side and a change may re-render meanwhile: one writer at a time.
    private readonly Lock _gate = new();

    /// <summary>
    /// Renders a config center namespace in a format for a replica (null: the service's own copy);
    /// set by the server. Without it, namespace-backed configs are empty files.
    /// </summary>
    public Func<NamespaceConfigSource, string?, string>? RenderNamespace { get; set; }

    public string ReplicaFolder(string replica) => Path.Combine(_root, "replicas", replica);

    public string ServiceFolder(string service) => Path.Combine(_root, "services", service);

    /// <summary>Writes the replica's files (and the service's, with its links); returns the variables that say where they are.</summary>
    public IReadOnlyDictionary<string, string> Prepare(ServicePlan plan, string replica)
    {
        if (plan.ConfigFiles.Count == 0)
        {
            return new Dictionary<string, string>();
        }
        lock (_gate)
        {
            WriteServiceFiles(plan);
            foreach (var file in plan.ConfigFiles)
            {
                Write(ReplicaFolder(replica), file, Render(file.Source, replica));
            }
        }
        return new Dictionary<string, string> { ["AUTONOMY_CONFIGS_DIR"] = ReplicaFolder(replica) };
    }

    /// <summary>Writes the service's copy of every config, and links each target in the working directory to it.</summary>
    private void WriteServiceFiles(ServicePlan plan)
    {
        foreach (var file in plan.ConfigFiles)
        {
            var path = Write(ServiceFolder(plan.Name), file, Render(file.Source, null));
            if (file.LinkPath is { } link)
            {
                VolumeLinks.Link(link, path, warnings, plan.Name);
            }
        }
    }

    /// <summary>Writes one config again for the service and the given replicas (after its namespace changed).</summary>
    public void Refresh(ServicePlan plan, ConfigFilePlan file, IEnumerable<string> replicas)
    {
        lock (_gate)
        {
            Write(ServiceFolder(plan.Name), file, Render(file.Source, null));
            foreach (var replica in replicas)
            {
                Write(ReplicaFolder(replica), file, Render(file.Source, replica));
            }
        }
    }

    private string Render(ConfigFileSource source, string? replica) => source switch
    {
        FileConfigSource f => File.ReadAllText(f.Path),
        TextConfigSource t => t.Text,
        NamespaceConfigSource n => RenderNamespace?.Invoke(n, replica) ?? "",
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    private static string Write(string folder, ConfigFilePlan file, string content)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, file.FileName);
        var temporary = Path.Combine(folder, $".{file.FileName}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temporary, content);
        // Docker's default for configs is 0444; a mode given in the compose file wins.
        File.SetUnixFileMode(temporary, (UnixFileMode)(file.Mode ?? Convert.ToInt32("444", 8)));
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
