using Autonomy.Server.Governance;

namespace Autonomy.Server.Registry;

/// <summary>
/// The instances that registered themselves through the API and keep a TTL alive with heartbeats. One that misses
/// its TTL turns critical (out of rotation); one silent for <c>deregister_after</c> is removed. Registrations are
/// kept in the store: after a server restart each is back as critical until its next heartbeat (the server did not
/// hear from it while it was down, so it does not send it traffic on trust), and its clocks start again from then.
/// </summary>
public sealed class ExternalInstances : IAsyncDisposable
{
    /// <summary>How often TTLs are checked: an instance turns critical at most this long after its TTL ran out.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(100);

    private readonly ServiceRegistry _registry;
    private readonly ExternalInstanceRows? _rows;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Service, string Id), Lease> _leases = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _sweeping = Task.CompletedTask;

    private ExternalInstances(ServiceRegistry registry, ExternalInstanceRows? rows, TimeProvider time)
    {
        _registry = registry;
        _rows = rows;
        _time = time;
    }

    /// <summary>In memory only (for tests of the TTL rules); <see cref="SweepAsync"/> is then called by the caller.</summary>
    internal static ExternalInstances InMemory(ServiceRegistry registry, TimeProvider time) => new(registry, null, time);

    /// <summary>Restores the registrations the store holds (each critical until its next heartbeat) and starts checking TTLs.</summary>
    internal static async Task<ExternalInstances> OpenAsync(ServiceRegistry registry, Store.SqliteConfigStore store, CancellationToken ct)
    {
        var rows = new ExternalInstanceRows(store);
        var instances = new ExternalInstances(registry, rows, TimeProvider.System);
        foreach (var registration in await rows.OpenAsync(ct))
        {
            instances.Restore(registration);
        }
        instances._sweeping = instances.SweepLoopAsync(instances._stop.Token);
        return instances;
    }

    /// <summary>Adds or replaces a registration; registering counts as a heartbeat. Durable (with <paramref name="audit"/>) when it returns.</summary>
    public async Task<(RegistryEntry Entry, bool Created)> RegisterAsync(ExternalRegistration registration, AuditRecord? audit, CancellationToken ct)
    {
        RegistryEntry entry;
        bool created;
        lock (_gate)
        {
            created = !_leases.ContainsKey((registration.Service, registration.Id));
            _leases[(registration.Service, registration.Id)] = new Lease(registration, _time.GetTimestamp());
            entry = _registry.Put(KeepDraining(EntryOf(registration, RegistryHealth.Passing, Alive(registration))));
        }
        await SaveAsync(registration.Service, registration.Id, audit, ct);
        return (entry, created);
    }

    /// <summary>Keeps the TTL alive (passing again if it had turned critical); null when the instance is not registered.</summary>
    public RegistryEntry? Heartbeat(string service, string id)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue((service, id), out var lease))
            {
                return null;
            }
            lease.LastBeat = _time.GetTimestamp();
            return _registry.Put(KeepDraining(EntryOf(lease.Registration, RegistryHealth.Passing, Alive(lease.Registration))));
        }
    }

    /// <summary>Removes a registration; false when there was none.</summary>
    public async Task<bool> DeregisterAsync(string service, string id, AuditRecord? audit, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_leases.Remove((service, id)))
            {
                return false;
            }
            RemoveEntry(service, id);
        }
        await SaveAsync(service, id, audit, ct);
        return true;
    }

    /// <summary>The registration of an external instance, or null.</summary>
    public ExternalRegistration? Find(string service, string id)
    {
        lock (_gate)
        {
            return _leases.TryGetValue((service, id), out var lease) ? lease.Registration : null;
        }
    }

    /// <summary>Turns each instance past its TTL critical and removes each past its <c>deregister_after</c>.</summary>
    internal async Task SweepAsync()
    {
        var removed = new List<ExternalRegistration>();
        lock (_gate)
        {
            foreach (var ((service, id), lease) in _leases.ToList())
            {
                var silent = _time.GetElapsedTime(lease.LastBeat);
                if (silent >= lease.Registration.DeregisterAfter)
                {
                    _leases.Remove((service, id));
                    RemoveEntry(service, id);
                    removed.Add(lease.Registration);
                }
                else if (silent >= lease.Registration.Ttl && _registry.Find(service, id) is { Source: RegistrySources.External, Health: not RegistryHealth.Critical } entry)
                {
                    _registry.Put(entry with { Health = RegistryHealth.Critical, Output = $"no heartbeat for {Durations.Text(silent)} (ttl {Durations.Text(lease.Registration.Ttl)})" });
                }
            }
        }
        foreach (var gone in removed)
        {
            var audit = new AuditRecord("autonomy", $"deregister {gone.Service}/{gone.Id}: no heartbeat for {Durations.Text(gone.DeregisterAfter)}",
                $"registry:write:{gone.Service}", AuditRecord.Ok);
            await SaveAsync(gone.Service, gone.Id, audit, CancellationToken.None);
        }
    }

    private void Restore(ExternalRegistration registration)
    {
        lock (_gate)
        {
            _leases[(registration.Service, registration.Id)] = new Lease(registration, _time.GetTimestamp());
            _registry.Put(EntryOf(registration, RegistryHealth.Critical, "the server restarted: waiting for a heartbeat"));
        }
    }

    // Called under the gate. Only an external entry is removed: a replica may have taken the id since.
    private void RemoveEntry(string service, string id)
    {
        if (_registry.Find(service, id) is { Source: RegistrySources.External })
        {
            _registry.Remove(service, id);
        }
    }

    private async Task SaveAsync(string service, string id, AuditRecord? audit, CancellationToken ct)
    {
        if (_rows is not null)
        {
            await _rows.SaveAsync(service, id, () => Find(service, id), audit, ct);
        }
    }

    private async Task SweepLoopAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(SweepInterval, _time, ct);
                try
                {
                    await SweepAsync();
                }
                catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException or InvalidOperationException or IOException)
                {
                    // The store is closing or failed a write: the row goes at the next removal or registration.
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    // Called under the gate. Draining is the gateway's and the rolling restart's to set: a heartbeat keeps it.
    private RegistryEntry KeepDraining(RegistryEntry entry) =>
        _registry.Find(entry.Service, entry.Id) is { Source: RegistrySources.External } existing && existing.Address == entry.Address && existing.Port == entry.Port
            ? entry with { Draining = existing.Draining }
            : entry;

    private static string Alive(ExternalRegistration registration) => $"heartbeats within its ttl of {Durations.Text(registration.Ttl)}";

    private static RegistryEntry EntryOf(ExternalRegistration registration, RegistryHealth health, string output) => new()
    {
        Service = registration.Service,
        Id = registration.Id,
        Address = registration.Address,
        Port = registration.Port,
        Health = health,
        Version = registration.Version,
        Metadata = registration.Metadata,
        Source = RegistrySources.External,
        Output = output,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sweeping;
        _stop.Dispose();
    }

    private sealed class Lease(ExternalRegistration registration, long lastBeat)
    {
        public ExternalRegistration Registration { get; } = registration;

        public long LastBeat { get; set; } = lastBeat;
    }
}
