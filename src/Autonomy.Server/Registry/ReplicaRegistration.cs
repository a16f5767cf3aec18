using Autonomy.Server.Runtime.Health;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Registry;

/// <summary>
/// Keeps the registry in step with the replicas the supervisor runs: each state or health change is in the registry
/// as soon as the supervisor sees it, and a replica that is gone is removed. External instances are left alone.
/// </summary>
internal sealed class ReplicaRegistration : IAsyncDisposable
{
    private readonly Supervisor _supervisor;
    private readonly ServiceRegistry _registry;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;

    public ReplicaRegistration(Supervisor supervisor, ServiceRegistry registry)
    {
        _supervisor = supervisor;
        _registry = registry;
        Sync();
        _following = FollowAsync(_stop.Token);
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var changed = _supervisor.WhenChanged;
                Sync();
                await changed.WaitAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Puts every replica the supervisor has, and removes those it no longer has.</summary>
    public void Sync()
    {
        var seen = new HashSet<(string, string)>();
        foreach (var service in _supervisor.Runtimes)
        {
            var labels = service.Plan.Service.Labels.Where(l => l.Value is not null).ToDictionary(l => l.Key, l => l.Value!, StringComparer.Ordinal);
            foreach (var replica in service.Replicas)
            {
                seen.Add((service.Name, replica.Id));
                _registry.Put(new RegistryEntry
                {
                    Service = service.Name,
                    Id = replica.Id,
                    Address = "127.0.0.1",
                    Port = replica.Port,
                    Health = HealthOf(replica),
                    Version = replica.Version,
                    Metadata = labels,
                    Output = replica.LastCheck,
                    Draining = replica.Draining,
                });
            }
        }
        foreach (var name in _registry.Services())
        {
            foreach (var entry in _registry.Instances(name, all: true))
            {
                if (entry.Source == RegistrySources.Autonomy && !seen.Contains((entry.Service, entry.Id)))
                {
                    _registry.Remove(entry.Service, entry.Id);
                }
            }
        }
    }

    private static RegistryHealth HealthOf(Replica replica) => replica switch
    {
        { IsReady: true } => RegistryHealth.Passing,
        { State: ReplicaState.Running, Health: HealthStatus.Starting } => RegistryHealth.Starting,
        { State: ReplicaState.Waiting } => RegistryHealth.Starting,
        _ => RegistryHealth.Critical,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        _stop.Dispose();
    }
}
