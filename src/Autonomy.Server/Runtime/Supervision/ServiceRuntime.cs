using System.Net;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Runtime.Health;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Ports;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// A service while it runs: its replicas, the stable port in front of them, and its published
/// ports, each forwarding to the replicas that are ready, round robin.
/// </summary>
internal sealed class ServiceRuntime
{
    private readonly List<Replica> _replicas = [];
    private readonly List<TcpForwarder> _forwarders = [];
    private readonly List<IAsyncDisposable> _frontends = [];
    private readonly SemaphoreSlim _scaling = new(1, 1);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextIndex = 1;

    public ServiceRuntime(Supervisor supervisor, ServicePlan plan)
    {
        Supervisor = supervisor;
        Plan = plan;
    }

    public Supervisor Supervisor { get; }

    /// <summary>How its replicas run; a reconcile may replace it, and replicas started after that use the new one.</summary>
    public ServicePlan Plan { get; private set; }

    /// <summary>
    /// Moves the service to a changed plan without a gap: one replica at a time is replaced by one
    /// on the new plan, each ready before the next; then the replica count is adjusted.
    /// </summary>
    public async Task RollToAsync(ServicePlan plan, CancellationToken ct)
    {
        Plan = plan;
        await RestartAsync(ct);
        await ScaleAsync(plan.Service.Replicas, ct);
    }

    public string Name => Plan.Name;

    /// <summary>Where the service is on its way up; <see cref="ServiceStage.Started"/> once its replicas were started.</summary>
    public ServiceStage Stage { get; set; } = ServiceStage.Waiting;

    public IReadOnlyList<Replica> Replicas
    {
        get
        {
            lock (_replicas)
            {
                return [.. _replicas];
            }
        }
    }

    /// <summary>Completes at the next change of any replica's state or health.</summary>
    public Task WhenChanged
    {
        get
        {
            lock (_replicas)
            {
                return _changed.Task;
            }
        }
    }

    public void NotifyChanged()
    {
        TaskCompletionSource previous;
        lock (_replicas)
        {
            previous = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
        Supervisor.NotifyChanged();
    }

    public async Task StartAsync(CancellationToken ct)
    {
        // An HTTP service's ports that reach its replicas are served by the gateway (balanced, retried, with
        // ejection); a port published to another fixed target port stays plain TCP.
        var frontends = Plan.Traffic.IsHttp ? Supervisor.HttpFrontends : null;
        foreach (var published in Plan.Published)
        {
            var at = new IPEndPoint(IPAddress.Parse(published.HostIp), published.HostPort);
            if (frontends is not null && published.ToReplicaPort)
            {
                _frontends.Add(await frontends.ServeAsync(Name, at, ct));
                continue;
            }
            var target = published.ToReplicaPort ? (Func<IReadOnlyList<IPEndPoint>>)ReadyBackends : () => ReadyBackends(published.Target);
            StartForwarder(at, target);
        }
        if (!Plan.Published.Any(p => p.HostPort == Plan.ServicePort))
        {
            var at = new IPEndPoint(IPAddress.Loopback, Plan.ServicePort);
            if (frontends is not null)
            {
                _frontends.Add(await frontends.ServeAsync(Name, at, ct));
            }
            else
            {
                StartForwarder(at, ReadyBackends);
            }
        }
        await ScaleAsync(Plan.Service.Replicas, ct);
    }

    private void StartForwarder(IPEndPoint at, Func<IReadOnlyList<IPEndPoint>> backends)
    {
        var forwarder = new TcpForwarder(at, backends);
        forwarder.Start();
        _forwarders.Add(forwarder);
    }

    /// <summary>Replicas that serve traffic now, by their own ports.</summary>
    public IReadOnlyList<IPEndPoint> ReadyBackends() =>
        [.. Replicas.Where(r => r.IsReady && !r.Draining).Select(r => new IPEndPoint(IPAddress.Loopback, r.Port))];

    private IReadOnlyList<IPEndPoint> ReadyBackends(int fixedPort) =>
        Replicas.Any(r => r.IsReady && !r.Draining) ? [new IPEndPoint(IPAddress.Loopback, fixedPort)] : [];

    /// <summary>
    /// Up: new replicas start and this returns once they are ready (or one failed). Down: the newest
    /// replicas stop first, gracefully.
    /// </summary>
    public async Task ScaleAsync(int count, CancellationToken ct)
    {
        await _scaling.WaitAsync(ct);
        try
        {
            var added = new List<Replica>();
            while (Replicas.Count < count)
            {
                var replica = new Replica(this, _nextIndex++, ReplicaPort());
                lock (_replicas)
                {
                    _replicas.Add(replica);
                }
                added.Add(replica);
                replica.Start();
            }
            var removed = new List<Replica>();
            lock (_replicas)
            {
                while (_replicas.Count > count)
                {
                    removed.Add(_replicas[^1]);
                    _replicas.RemoveAt(_replicas.Count - 1);
                }
            }
            NotifyChanged();
            await Task.WhenAll(removed.Select(r => r.StopAsync()));
            if (added.Count > 0)
            {
                await WaitAsync(() => Ready(added), failFast: true, ct);
            }
        }
        finally
        {
            _scaling.Release();
        }
    }

    /// <summary>
    /// Replaces the replicas (only those named in <paramref name="only"/>, if given) one at a time, each new one ready
    /// before the next. Where a new replica can run beside the old one, nothing is dropped: see <see cref="ReplaceBesideAsync"/>.
    /// </summary>
    public async Task RestartAsync(CancellationToken ct, IReadOnlyCollection<string>? only = null)
    {
        await _scaling.WaitAsync(ct);
        try
        {
            foreach (var old in Replicas.Where(r => only is null || only.Contains(r.Id)))
            {
                if (CanRunBeside)
                {
                    await ReplaceBesideAsync(old, ct);
                }
                else
                {
                    await ReplaceInPlaceAsync(old, ct);
                }
            }
        }
        finally
        {
            _scaling.Release();
        }
    }

    /// <summary>
    /// Whether a new replica can run beside the one it replaces: not for a PostgreSQL server Autonomy runs (one data
    /// directory), the broker's stand-in (no process of its own), or a service published on a fixed replica port.
    /// </summary>
    private bool CanRunBeside => Plan.ManagedServer is null && Plan.EmbeddedBroker is null && Plan.Published.All(p => p.ToReplicaPort);

    /// <summary>The old replica stops before the new one starts, under the same id: a gap, for what cannot run twice.</summary>
    private async Task ReplaceInPlaceAsync(Replica old, CancellationToken ct)
    {
        var fresh = new Replica(this, old.Index, ReplicaPort());
        await old.StopAsync();
        lock (_replicas)
        {
            _replicas[_replicas.IndexOf(old)] = fresh;
        }
        fresh.Start();
        await WaitAsync(() => Ready([fresh]), failFast: true, ct);
    }

    /// <summary>
    /// Zero downtime: a new replica (with the next id) starts beside the old one and takes traffic once it is ready;
    /// only then does the old one stop getting new traffic, finish what it was serving (up to the drain grace) and
    /// stop. If the new one fails, it is removed and the old one keeps serving.
    /// </summary>
    private async Task ReplaceBesideAsync(Replica old, CancellationToken ct)
    {
        var fresh = new Replica(this, _nextIndex++, ReplicaPort());
        if (Supervisor.ReplicaReplaced is { } replaced)
        {
            await replaced(Name, old.Id, fresh.Id);
        }
        lock (_replicas)
        {
            _replicas.Insert(_replicas.IndexOf(old) + 1, fresh);
        }
        fresh.Start();
        try
        {
            await WaitAsync(() => Ready([fresh]), failFast: true, ct);
        }
        catch
        {
            lock (_replicas)
            {
                _replicas.Remove(fresh);
            }
            NotifyChanged();
            await fresh.StopAsync();
            if (Supervisor.ReplicaReplaced is { } giveBack)
            {
                await giveBack(Name, fresh.Id, old.Id);
            }
            throw;
        }
        await DrainAsync(old, ct);
        lock (_replicas)
        {
            _replicas.Remove(old);
        }
        NotifyChanged();
        await old.StopAsync();
    }

    /// <summary>
    /// Takes a replica out of rotation and waits until every path to it (this service's forwarders, the gateway) has
    /// routed away and has nothing in flight to it, or the drain grace is over.
    /// </summary>
    private async Task DrainAsync(Replica replica, CancellationToken ct)
    {
        replica.Draining = true;
        NotifyChanged();
        var traffic = _forwarders.Select(f => (IReplicaTraffic)new ForwarderTraffic(f)).Concat(Supervisor.Traffic).ToList();
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(ct);
        grace.CancelAfter(Plan.DrainGrace);
        try
        {
            await Task.WhenAll(traffic.Select(t => t.WhenRoutedAwayAsync(Name, replica.Port, grace.Token)));
            while (traffic.Sum(t => t.InFlight(Name, replica.Port)) > 0)
            {
                await Task.Delay(DrainPoll, grace.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The grace period is over: what is still in flight ends with the replica.
        }
    }

    // How often a drain looks at what is still in flight: short next to any grace period, cheap next to a request.
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>A service's own TCP forwarder as traffic to drain: it reads the replicas directly, so it routes away at once.</summary>
    private sealed class ForwarderTraffic(TcpForwarder forwarder) : IReplicaTraffic
    {
        public int InFlight(string service, int port) => forwarder.OpenTo(port);
    }

    /// <summary>
    /// A new replica's own port; for a service the embedded broker serves, the broker's AMQP port, which its
    /// health probe and the service's forwarders then reach (0 where no broker runs: it cannot start).
    /// </summary>
    private int ReplicaPort() => Plan.EmbeddedBroker is null ? Supervisor.Ports.Allocate() : Supervisor.EmbeddedBroker?.AmqpPort ?? 0;

    public async Task StopAsync()
    {
        await Task.WhenAll(Replicas.Select(r => r.StopAsync()));
        foreach (var forwarder in _forwarders)
        {
            await forwarder.DisposeAsync();
        }
        _forwarders.Clear();
        foreach (var frontend in _frontends)
        {
            await frontend.DisposeAsync();
        }
        _frontends.Clear();
    }

    /// <summary>
    /// Whether new replicas are up: ready (healthy where there is a check), or, for a one-shot
    /// service, finished with exit code 0. Failed when one exited otherwise or turned unhealthy.
    /// </summary>
    private (bool Met, string? Failure) Ready(IReadOnlyList<Replica> replicas)
    {
        if (replicas.All(r => r.IsReady || (r.State == ReplicaState.Exited && r.ExitCode == 0)))
        {
            return (true, null);
        }
        return Check(replicas, DependencyCondition.ServiceHealthy, requireHealth: Plan.Health is not null);
    }

    /// <summary>Whether this service meets a depends_on condition now, and if it never will, why.</summary>
    public (bool Met, string? Failure) Check(DependencyCondition condition) =>
        Check(Replicas, condition, requireHealth: true);

    private (bool Met, string? Failure) Check(IReadOnlyList<Replica> replicas, DependencyCondition condition, bool requireHealth)
    {
        if (replicas.Count == 0)
        {
            // Not started yet (its own dependencies or its setup still running).
            return (false, null);
        }
        var met = condition switch
        {
            DependencyCondition.ServiceStarted => replicas.All(r => r.HasStarted),
            DependencyCondition.ServiceCompletedSuccessfully => replicas.All(r => r.State == ReplicaState.Exited && r.ExitCode == 0),
            _ => replicas.All(r => r.IsReady && (!requireHealth || r.Health == HealthStatus.Healthy)),
        };
        if (met)
        {
            return (true, null);
        }
        foreach (var r in replicas)
        {
            if (r.Health == HealthStatus.Unhealthy && r.State == ReplicaState.Running && condition != DependencyCondition.ServiceCompletedSuccessfully)
            {
                return (false, $"is unhealthy ({r.Id}: {r.LastCheck})");
            }
            if (r.State is ReplicaState.Exited or ReplicaState.Restarting && r.ExitCode is { } code
                && (condition != DependencyCondition.ServiceCompletedSuccessfully || code != 0))
            {
                return (false, code == 127 && r.StartedAt is null ? $"could not start ({r.Id})" : $"exited with code {code} ({r.Id})");
            }
        }
        return (false, null);
    }

    /// <summary>Waits until <paramref name="check"/> is met; with <paramref name="failFast"/>, throws as soon as it says it never will be.</summary>
    public async Task WaitAsync(Func<(bool Met, string? Failure)> check, bool failFast, CancellationToken ct)
    {
        while (true)
        {
            var changed = WhenChanged;
            var (met, failure) = check();
            if (met)
            {
                return;
            }
            if (failFast && failure is not null)
            {
                throw new ServiceStartException(Name, failure, Supervisor.LastLines(Name));
            }
            await changed.WaitAsync(ct);
        }
    }
}
