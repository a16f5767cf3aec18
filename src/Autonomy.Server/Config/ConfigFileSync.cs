using Autonomy.Server.Config.Formats;
using Autonomy.Server.Runtime.Logs;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Processes;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Config;

/// <summary>
/// Keeps the config files of services in step with the config center: renders a namespace in its
/// format when a replica starts, and on every change renders it again for the service and its
/// replicas, then does what the config's <c>on_change</c> says (nothing, a signal, or a rolling restart).
/// </summary>
internal sealed class ConfigFileSync(Supervisor supervisor, ConfigCenter center) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, Task> _watches = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Renders namespaces for the supervisor from now on.</summary>
    public void Attach() => supervisor.ConfigFiles.RenderNamespace = Render;

    /// <summary>The namespaces the configs of <paramref name="configs"/> name, so that they can be created before anything renders them.</summary>
    public static IEnumerable<string> Namespaces(IEnumerable<Compose.Model.ResourceDefinition> configs) =>
        configs.Select(c => c.Extensions.TryGetValue("x-autonomy", out var x) && x is System.Text.Json.Nodes.JsonObject o && o["namespace"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var ns) ? ns : null)
            .OfType<string>();

    /// <summary>Starts watching every namespace a running service renders (call after up and after each reconcile).</summary>
    public void Watch()
    {
        var wanted = supervisor.Plans.SelectMany(p => p.ConfigFiles).Select(f => f.Source).OfType<NamespaceConfigSource>().Select(s => s.Namespace).Distinct(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var ns in wanted.Where(ns => !_watches.ContainsKey(ns)).ToList())
            {
                var from = center.Store.Namespace(ns)?.Revision ?? 0;
                _watches[ns] = Task.Run(() => FollowAsync(ns, from, _stopping.Token));
            }
        }
    }

    /// <summary>Set by the server: canary replicas see the canary's change in their files.</summary>
    public CanaryReleases? Canaries { get; set; }

    /// <summary>Renders the namespace's files again for some replicas only (a canary started or ended) and tells them.</summary>
    public Task RefreshAsync(string ns, IReadOnlyCollection<string> replicas) => ApplyAsync(ns, center.Store.Revision, _stopping.Token, replicas);

    private string Render(NamespaceConfigSource source, string? replica)
    {
        var entries = center.Store.Namespace(source.Namespace) is null ? [] : center.Store.List(source.Namespace);
        if (Canaries?.For(source.Namespace, replica) is { } canary)
        {
            entries = CanaryReleases.Overlay(entries, canary);
        }
        ConfigFormats.TryParseName(source.Format, out var format);
        return ConfigFormats.Write(format, entries.Select(e => new ConfigEntry(e.Key, e.Value, e.ContentType)));
    }

    private async Task FollowAsync(string ns, long from, CancellationToken ct)
    {
        try
        {
            await foreach (var revision in center.Store.WatchAsync(ns, from, ct))
            {
                if (await ApplyAsync(ns, revision[0].Revision, ct) && revision[0].Revision > from)
                {
                    Diagnostics.AutonomyMetrics.ConfigPushLatency.Record((DateTimeOffset.UtcNow - revision[0].Time).TotalSeconds,
                        new("namespace", ns), new("delivery", "file"));
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <returns>Whether some replica's files were rendered at <paramref name="revision"/>.</returns>
    private async Task<bool> ApplyAsync(string ns, long revision, CancellationToken ct, IReadOnlyCollection<string>? only = null)
    {
        var rendered = false;
        foreach (var plan in supervisor.Plans)
        {
            var files = plan.ConfigFiles.Where(f => f.Source is NamespaceConfigSource s && s.Namespace == ns).ToList();
            if (files.Count == 0)
            {
                continue;
            }
            var replicas = (supervisor.Status().FirstOrDefault(s => s.Name == plan.Name)?.Replicas ?? []).Where(r => only is null || only.Contains(r.Id)).ToList();
            if (only is not null && replicas.Count == 0)
            {
                continue;
            }
            try
            {
                foreach (var file in files)
                {
                    supervisor.ConfigFiles.Refresh(plan, file, replicas.Select(r => r.Id));
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
            {
                Log(plan.Name, $"config '{files[0].Name}' not rendered at revision {revision}: {e.Message}; the previous file stays");
                continue;
            }
            rendered |= replicas.Count > 0;
            var action = files.Select(f => ((NamespaceConfigSource)f.Source).OnChange).OrderByDescending(Weight).First();
            var who = only is null ? "" : $" for {string.Join(", ", replicas.Select(r => r.Id))}";
            Log(plan.Name, $"config {string.Join(", ", files.Select(f => $"'{f.Name}'"))} rendered at revision {revision}{who}" + action.Kind switch
            {
                "signal" => $"; sending signal {action.Signal}",
                "restart" => "; restarting one replica at a time",
                _ => "",
            });
            switch (action.Kind)
            {
                case "signal":
                    foreach (var replica in replicas.Where(r => r.Pid is not null))
                    {
                        ProcessGroups.SignalGroup(replica.Pid!.Value, action.Signal);
                    }
                    break;
                case "restart" when only is null:
                    await supervisor.RestartAsync(plan.Name, ct);
                    break;
                case "restart":
                    await supervisor.RestartReplicasAsync(plan.Name, [.. replicas.Select(r => r.Id)], ct);
                    break;
            }
        }
        return rendered;
    }

    // When two configs of one service change together, the strongest reaction covers both.
    private static int Weight(ConfigChangeAction action) => action.Kind switch { "restart" => 2, "signal" => 1, _ => 0 };

    private void Log(string service, string text) =>
        supervisor.Logs.Write(new LogLine(DateTimeOffset.UtcNow, service, service + "-config", LogStream.System, text));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] watches;
        lock (_gate)
        {
            watches = [.. _watches.Values];
        }
        await Task.WhenAll(watches).ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }
}
