using Autonomy.Server.Compose.Model;
using Autonomy.Server.Runtime.Logs;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Processes;
using Autonomy.Server.Runtime.State;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Runs a compose project's services as native processes: in dependency order, each condition
/// honoured, health-checked, restarted by policy, and stopped without survivors. One per project.
/// </summary>
public sealed class Supervisor : IAsyncDisposable
{
    private ComposeProject _project;
    private readonly Dictionary<string, ServiceRuntime> _services = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];
    private IReadOnlyList<ServicePlan> _plans = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _sampling = new();
    private readonly Task _sampler;

    /// <summary>The project as last loaded (a reconcile replaces it).</summary>
    public ComposeProject Project => _project;

    public Supervisor(ComposeProject project, SupervisorOptions options)
    {
        _project = project;
        Options = options;
        Directory.CreateDirectory(options.StateDirectory);
        Logs = new LogHub(Path.Combine(options.StateDirectory, "logs"));
        Records = new ReplicaRecords(options.StateDirectory);
        BootId = ProcessGroups.BootId();
        ConfigFiles = new ReplicaConfigFiles(options.StateDirectory, _warnings);
        SecretFiles = new ReplicaSecretFiles(options.StateDirectory, () => _project, Inherited, _warnings);
        // Orphans of our replicas' process trees are re-parented to us, so we can reap them.
        ProcessGroups.EnableChildSubreaper();
        _sampler = SampleUsageAsync(_sampling.Token);
    }

    public SupervisorOptions Options { get; }

    /// <summary>Set by the server before <see cref="UpAsync"/>: each replica's control-plane variables.</summary>
    public IReplicaCredentials? Credentials { get; set; }

    /// <summary>Set by the server before <see cref="UpAsync"/>: each service's own database.</summary>
    public IServiceDatabases? Databases { get; set; }

    /// <summary>Set by the server before <see cref="UpAsync"/>: each service's own broker vhost and user.</summary>
    public IServiceMessaging? Messaging { get; set; }

    /// <summary>Set by the server before <see cref="UpAsync"/>: the broker that serves services declared by the rabbitmq image.</summary>
    public IEmbeddedBroker? EmbeddedBroker { get; set; }

    /// <summary>
    /// What carries traffic to replicas besides each service's own TCP forwarders (the gateway): a rolling restart
    /// asks each to route away from the replica it drains and waits until nothing is in flight to it.
    /// </summary>
    public IList<IReplicaTraffic> Traffic { get; } = new List<IReplicaTraffic>();

    /// <summary>
    /// Called when a rolling restart replaces a replica by a new one (service, old id, new id) before the new one
    /// starts, and again the other way round if the new one fails: what follows replicas by id (canary releases)
    /// moves with it.
    /// </summary>
    public Func<string, string, string, Task>? ReplicaReplaced { get; set; }

    /// <summary>Set by the server before <see cref="UpAsync"/>: serves the ports of HTTP services (else they are forwarded as TCP).</summary>
    public IHttpFrontends? HttpFrontends { get; set; }

    /// <summary>Writes the compose configs of each replica before it starts.</summary>
    public ReplicaConfigFiles ConfigFiles { get; }

    /// <summary>Delivers the compose secrets of each replica while it runs.</summary>
    public ReplicaSecretFiles SecretFiles { get; }

    /// <summary>Set by the server before <see cref="UpAsync"/>: the project's stored (external) secrets.</summary>
    public ISecretValues? Secrets
    {
        get => SecretFiles.Values;
        set => SecretFiles.Values = value;
    }

    internal LogHub Logs { get; }

    /// <summary>Things worth telling the user that do not stop anything (skipped URL variables…).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    internal ReplicaRecords Records { get; }

    internal string BootId { get; }

    internal PortAllocator Ports { get; } = new();

    /// <summary>The CPU and memory of running replicas, as last sampled.</summary>
    internal ProcessUsage Usage { get; } = new();

    internal IReadOnlyDictionary<string, string> Inherited => Options.InheritedEnvironment ?? Compose.Loading.ComposeLoader.ProcessEnvironment();

    /// <summary>Completes at the next change anywhere in the project.</summary>
    public Task WhenChanged => Volatile.Read(ref _changed).Task;

    /// <summary>
    /// Starts the project (or the named services and what they depend on), each service once its
    /// dependencies meet their conditions, and returns when every one is ready: healthy where it
    /// has a check, running otherwise. On failure everything started is stopped again and a
    /// <see cref="ServiceStartException"/> says why, with the failing service's last log lines.
    /// </summary>
    public async Task UpAsync(IReadOnlyCollection<string>? only = null, CancellationToken ct = default)
    {
        var stale = await Records.SweepAsync(TimeSpan.FromSeconds(5), ct);
        foreach (var record in stale)
        {
            _warnings.Add($"stopped {record.Replica} (pid {record.Pid}), left running by an earlier run of autonomy");
        }

        var selected = Selected(only);
        var planner = new ServicePlanner(_project, Options, Ports, Secrets);
        _plans = planner.PlanAll(selected);
        _warnings.AddRange(planner.Notes.Except(_warnings).ToList());
        foreach (var plan in _plans)
        {
            lock (_services)
            {
                _services[plan.Name] = new ServiceRuntime(this, plan);
            }
        }
        ReplicaEnvironment.ServiceUrls(_plans, "", _warnings);
        PrepareVolumes();

        // The first service that fails ends the wait of all the others: they report that one failure.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var starts = _plans.Select(async plan =>
        {
            try
            {
                await StartServiceAsync(_services[plan.Name], failed.Token);
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
        }).ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            await DownAsync();
            var first = starts.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null && !ct.IsCancellationRequested)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            }
            throw;
        }
    }

    private async Task StartServiceAsync(ServiceRuntime service, CancellationToken ct)
    {
        await WaitForDependenciesAsync(service.Plan, failFast: true, ct);
        await PrepareDatabaseAsync(service, service.Plan, ct);
        await PrepareMessagingAsync(service.Plan, ct);
        if (service.Plan.Setup is { } setup)
        {
            service.Stage = ServiceStage.SettingUp;
            await new SetupRunner(this).RunAsync(service.Plan, setup, ct);
        }
        service.Stage = ServiceStage.Started;
        await service.StartAsync(ct);
    }

    /// <summary>Before anything of the service runs: its managed server's cluster, or its own database.</summary>
    private async Task PrepareDatabaseAsync(ServiceRuntime service, ServicePlan plan, CancellationToken ct)
    {
        if (Databases is null || (plan.Database is null && plan.ManagedServer is null))
        {
            return;
        }
        service.Stage = ServiceStage.SettingUp;
        NotifyChanged();
        try
        {
            await Databases.PrepareAsync(plan, ct);
        }
        catch (Data.DatabaseException e)
        {
            throw new ServiceStartException(plan.Name, plan.ManagedServer is null ? $"has no database: {e.Message}" : $"cannot start its PostgreSQL: {e.Message}", []);
        }
    }

    /// <summary>
    /// Before anything of the service runs: its own vhost and broker user. A service the embedded broker
    /// serves runs nothing that would log in as itself: it gets the image's vhost and user instead.
    /// </summary>
    private async Task PrepareMessagingAsync(ServicePlan plan, CancellationToken ct)
    {
        try
        {
            if (plan.EmbeddedBroker is { } image)
            {
                if (EmbeddedBroker is null)
                {
                    throw new ServiceStartException(plan.Name, $"is the image {image.Image}, which only Autonomy's server (with its embedded broker) can serve", []);
                }
                await EmbeddedBroker.PrepareImageAsync(plan.Name, image, ct);
                return;
            }
            if (Messaging is null)
            {
                return;
            }
            await Messaging.PrepareAsync(plan, ct);
        }
        catch (Server.Messaging.Model.BrokerException e)
        {
            throw new ServiceStartException(plan.Name, $"has no message queue: {e.Message}", []);
        }
    }

    /// <summary>Waits until every dependency of <paramref name="plan"/> meets its condition.</summary>
    internal async Task WaitForDependenciesAsync(ServicePlan plan, bool failFast, CancellationToken ct)
    {
        foreach (var (name, dependency) in plan.Service.DependsOn)
        {
            if (!_services.TryGetValue(name, out var target))
            {
                continue;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (failFast)
            {
                timeout.CancelAfter(Options.DependencyTimeout);
            }
            try
            {
                await target.WaitAsync(() => target.Check(dependency.Condition), failFast, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ServiceStartException(name, $"did not become {Describe(dependency.Condition)} within {Options.DependencyTimeout.TotalSeconds:0} s, and '{plan.Name}' waits for it", LastLines(name));
            }
            catch (ServiceStartException e) when (e.Service == name)
            {
                throw new ServiceStartException(name, $"{e.Reason}, and '{plan.Name}' waits for it to be {Describe(dependency.Condition)}", e.LastLogLines);
            }
        }
    }

    private static string Describe(DependencyCondition condition) => condition switch
    {
        DependencyCondition.ServiceHealthy => "healthy",
        DependencyCondition.ServiceCompletedSuccessfully => "completed successfully",
        _ => "started",
    };

    /// <summary>
    /// Brings the running project in line with <paramref name="project"/> (the files as they are now):
    /// services whose resolved spec changed are recreated, new ones started, removed ones stopped,
    /// and nothing unchanged is touched. A service keeps its address across a recreate.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(ComposeProject project, CancellationToken ct = default)
    {
        var planner = new ServicePlanner(project, Options, Ports, Secrets);
        var plans = planner.PlanAll().ToList();
        _warnings.AddRange(planner.Notes.Except(_warnings).ToList());
        for (var i = 0; i < plans.Count; i++)
        {
            if (_services.TryGetValue(plans[i].Name, out var existing) && plans[i].Published.Count == 0)
            {
                plans[i] = plans[i] with { ServicePort = existing.Plan.ServicePort };
            }
        }
        var byName = plans.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var removed = _services.Keys.Where(n => !byName.ContainsKey(n)).ToList();
        var changed = plans.Where(p => _services.TryGetValue(p.Name, out var s) && SpecOf(s.Plan) != SpecOf(p)).Select(p => p.Name).ToList();
        var added = plans.Where(p => !_services.ContainsKey(p.Name)).Select(p => p.Name).ToList();

        // A changed service whose ports stay the same is rolled one replica at a time; one whose
        // ports change must let go of them first, so it is stopped and started anew.
        var rolled = changed.Where(n => SamePorts(_services[n].Plan, byName[n])).ToList();
        foreach (var name in removed.Concat(changed.Except(rolled)))
        {
            await _services[name].StopAsync();
            lock (_services)
            {
                _services.Remove(name);
            }
        }
        _project = project;
        _plans = plans;
        PrepareVolumes();
        foreach (var name in rolled)
        {
            await PrepareDatabaseAsync(_services[name], byName[name], ct);
            await PrepareMessagingAsync(byName[name], ct);
            _services[name].Stage = ServiceStage.Started;
            await _services[name].RollToAsync(byName[name], ct);
        }
        var starting = changed.Except(rolled).Concat(added).Select(n => new ServiceRuntime(this, byName[n])).ToList();
        foreach (var runtime in starting)
        {
            lock (_services)
            {
                _services[runtime.Name] = runtime;
            }
        }
        await Task.WhenAll(starting.Select(s => StartServiceAsync(s, ct)));
        NotifyChanged();
        return new ReconcileResult(changed, added, removed, [.. plans.Select(p => p.Name).Except(changed).Except(added)]);
    }

    private static bool SamePorts(ServicePlan before, ServicePlan after) =>
        before.ServicePort == after.ServicePort && before.Published.SequenceEqual(after.Published);

    /// <summary>
    /// What decides whether a running service must be recreated: everything that shapes its processes,
    /// its database among them (the project's provider or clusters may change without the service's own lines).
    /// </summary>
    /// <summary>Everything about a plan that a replica started from it depends on: equal specs, same replicas.</summary>
    internal static string SpecOf(ServicePlan plan) => string.Join("\u0001",
        plan.Service.Attributes.ToJsonString(), string.Join("\u0002", plan.Command), plan.Program, plan.WorkingDirectory,
        plan.Database is { } database ? $"{database.Choice} {database.Name} {database.InitFolder}" : "",
        string.Join("\u0002", plan.ImageEnvironment.Select(e => $"{e.Key}={e.Value}")), plan.Health?.ToString(), string.Join("\u0002", plan.Setup ?? []));

    /// <summary>Stops every service, dependents before what they depend on; each replica's whole process tree.</summary>
    public async Task DownAsync()
    {
        foreach (var layer in StopOrder())
        {
            await Task.WhenAll(layer.Select(s => s.StopAsync()));
        }
    }

    /// <summary>The last lines of one service's logs (or all services'), in time order.</summary>
    public IReadOnlyList<LogLine> TailLogs(string? service, int lines) => Logs.Tail(service, lines);

    /// <summary>Every service's log lines from now on, as they are written.</summary>
    public IAsyncEnumerable<LogLine> FollowLogs(CancellationToken ct) => Logs.Follow(null, ct);

    public IReadOnlyList<ServiceStatus> Status() =>
        [.. _plans.Where(p => _services.ContainsKey(p.Name)).Select(p => _services[p.Name]).Select(s => new ServiceStatus(s.Name, s.Plan.ServicePort, [.. s.Replicas.Select(r => r.Status())], s.Stage, Runs(s.Plan), Databases?.HealthOf(s.Name)))];

    private static string? Runs(ServicePlan plan) => plan.EmbeddedBroker is { } broker ? broker.Runs
        : plan.ManagedServer is not { } server ? null
        : server.Image is { } image ? $"Autonomy's managed PostgreSQL {server.Binaries.Major}, in place of the image {image}"
        : $"Autonomy's managed PostgreSQL {server.Binaries.Major}, for the services on x-autonomy.database: postgres";

    public async Task ScaleAsync(string service, int replicas, CancellationToken ct = default) => await Runtime(service).ScaleAsync(replicas, ct);

    public async Task RestartAsync(string service, CancellationToken ct = default) => await Runtime(service).RestartAsync(ct);

    /// <summary>Restarts only the named replicas of the service, one at a time.</summary>
    public async Task RestartReplicasAsync(string service, IReadOnlyCollection<string> replicas, CancellationToken ct = default) =>
        await Runtime(service).RestartAsync(ct, replicas);

    /// <summary>The plans the project runs with (after <see cref="UpAsync"/>).</summary>
    public IReadOnlyList<ServicePlan> Plans => _plans;

    /// <summary>The services now running (or on their way up), for those that follow every replica.</summary>
    internal IReadOnlyList<ServiceRuntime> Runtimes
    {
        get
        {
            // Written only by up and reconcile (one at a time); the lock is for readers on other threads.
            lock (_services)
            {
                return [.. _services.Values];
            }
        }
    }

    internal ServiceRuntime Runtime(string service) =>
        _services.TryGetValue(service, out var runtime) ? runtime : throw new KeyNotFoundException($"no service '{service}' is running");

    internal IReadOnlyList<TimeSpan> RestartDelays(string replica) =>
        _services.Values.SelectMany(s => s.Replicas).First(r => r.Id == replica).RestartDelays;

    internal void NotifyChanged() => Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    internal IReadOnlyList<string> LastLines(string service) =>
        [.. Logs.Tail(service, Options.FailureLogLines).Select(l => $"{l.Replica} | {l.Text}")];

    /// <summary>The replica's variables: PORT, who it is, where every service is, where its volumes, configs and secrets are.</summary>
    internal Dictionary<string, string> EnvironmentFor(ServicePlan plan, Replica replica)
    {
        var platform = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PORT"] = replica.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AUTONOMY_PROJECT"] = _project.Name,
            ["AUTONOMY_SERVICE"] = plan.Name,
            ["AUTONOMY_INSTANCE"] = replica.Id,
        };
        foreach (var (key, value) in ReplicaEnvironment.ServiceUrls(_plans, plan.Name, []))
        {
            platform[key] = value;
        }
        foreach (var volume in plan.Volumes)
        {
            platform[volume.VariableName] = volume.HostPath;
        }
        foreach (var (key, value) in Credentials?.Issue(plan.Service, replica.Id) ?? new Dictionary<string, string>())
        {
            platform[key] = value;
        }
        foreach (var (key, value) in Databases?.VariablesFor(plan.Name) ?? new Dictionary<string, string>())
        {
            platform[key] = value;
        }
        foreach (var (key, value) in Messaging?.VariablesFor(plan.Name) ?? new Dictionary<string, string>())
        {
            platform[key] = value;
        }
        foreach (var (key, value) in ConfigFiles.Prepare(plan, replica.Id))
        {
            platform[key] = value;
        }
        foreach (var (key, value) in SecretFiles.Deliver(plan, replica.Id))
        {
            platform[key] = value;
        }
        var environment = ReplicaEnvironment.Build(Inherited, plan, platform);
        var servers = ImageServers();
        foreach (var (key, value) in plan.Service.Environment)
        {
            if (value is { Length: > 0 } && environment.TryGetValue(key, out var current) && current == value)
            {
                environment[key] = Data.Managed.ImageAddresses.Rewrite(value, servers);
            }
        }
        return environment;
    }

    /// <summary>The services that stand in for an image, by the address their clients name: a PostgreSQL server's stable port, the broker's AMQP listener.</summary>
    private Dictionary<string, Data.Managed.ImageServer> ImageServers()
    {
        var servers = new Dictionary<string, Data.Managed.ImageServer>(StringComparer.Ordinal);
        foreach (var plan in _plans)
        {
            if (plan.ManagedServer?.Image is not null)
            {
                servers[plan.Name] = Data.Managed.ImageServer.Postgres(plan.ServicePort);
            }
            else if (plan.EmbeddedBroker is not null && EmbeddedBroker is not null)
            {
                servers[plan.Name] = Data.Managed.ImageServer.RabbitMq(EmbeddedBroker.AmqpPort);
            }
        }
        return servers;
    }

    private IEnumerable<ServiceDefinition>? Selected(IReadOnlyCollection<string>? only)
    {
        if (only is null || only.Count == 0)
        {
            return null;
        }
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name)
        {
            if (wanted.Add(name) && _project.FindService(name) is { } s)
            {
                foreach (var dependency in s.DependsOn.Keys)
                {
                    Add(dependency);
                }
            }
        }
        foreach (var name in only)
        {
            if (_project.FindService(name) is null)
            {
                throw new ServicePlanException([$"no service '{name}' in the project (services: {string.Join(", ", _project.Services.Select(s => s.Name))})"]);
            }
            Add(name);
        }
        return _project.Services.Where(s => wanted.Contains(s.Name));
    }

    private void PrepareVolumes()
    {
        foreach (var plan in _plans)
        {
            foreach (var volume in plan.Volumes)
            {
                if (volume.IsNamedVolume)
                {
                    Directory.CreateDirectory(volume.HostPath);
                }
                if (volume.LinkPath is { } link)
                {
                    VolumeLinks.Link(link, volume.HostPath, _warnings, plan.Name);
                }
            }
        }
    }

    /// <summary>Layers of services: those nothing depends on first.</summary>
    private List<List<ServiceRuntime>> StopOrder()
    {
        var remaining = new HashSet<string>(_services.Keys, StringComparer.Ordinal);
        var layers = new List<List<ServiceRuntime>>();
        while (remaining.Count > 0)
        {
            var layer = remaining.Where(n => !remaining.Any(other => _services[other].Plan.Service.DependsOn.ContainsKey(n))).ToList();
            if (layer.Count == 0)
            {
                layer = [.. remaining];
            }
            layers.Add([.. layer.Select(n => _services[n])]);
            remaining.ExceptWith(layer);
        }
        return layers;
    }

    /// <summary>Samples the replicas' CPU and memory in the background, so that a status request only reads the result.</summary>
    private async Task SampleUsageAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Options.UsageSampleInterval);
        try
        {
            do
            {
                try
                {
                    List<int> leaders = [];
                    foreach (var service in _services.Values.ToList())
                    {
                        leaders.AddRange(service.Replicas.Select(r => r.Pid).OfType<int>());
                    }
                    Usage.Sample(leaders);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
                {
                    // A reconcile changed the services while we listed them, or /proc could not be read: try again next time.
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sampling.CancelAsync();
        await _sampler;
        _sampling.Dispose();
        await DownAsync();
        SecretFiles.RemoveAll();
        await Logs.DisposeAsync();
    }
}
