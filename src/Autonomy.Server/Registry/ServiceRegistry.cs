namespace Autonomy.Server.Registry;

/// <summary>
/// Every instance of every service, with one index that rises on each change: what discovery answers, what the
/// gateway balances over, and what blocking queries and event streams follow. In memory: the supervisor registers
/// its replicas again when it starts, and external instances re-register when their TTL lapses.
/// </summary>
public sealed class ServiceRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<string, RegistryEntry>> _services = new(StringComparer.Ordinal);

    // Recent changes, oldest first, for streams that resume from an index; older ones are answered with a snapshot.
    private readonly LinkedList<RegistryChange> _recent = new();
    private const int RecentLimit = 4096;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _index = 1;

    /// <summary>The index of the last change (1 when nothing has changed yet).</summary>
    public long Index
    {
        get
        {
            lock (_gate)
            {
                return _index;
            }
        }
    }

    /// <summary>The names of services with at least one instance, sorted.</summary>
    public IReadOnlyList<string> Services()
    {
        lock (_gate)
        {
            return [.. _services.Where(s => s.Value.Count > 0).Select(s => s.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>A service's instances in id order: those in rotation, or with <paramref name="all"/> every one.</summary>
    public IReadOnlyList<RegistryEntry> Instances(string service, bool all = false)
    {
        lock (_gate)
        {
            if (!_services.TryGetValue(service, out var instances))
            {
                return [];
            }
            return [.. instances.Values.Where(e => all || e.InRotation).OrderBy(e => e.Id, StringComparer.Ordinal)];
        }
    }

    public RegistryEntry? Find(string service, string id)
    {
        lock (_gate)
        {
            return _services.TryGetValue(service, out var instances) && instances.TryGetValue(id, out var entry) ? entry : null;
        }
    }

    /// <summary>Adds or replaces an instance; returns it as stored (with its index). An identical entry is left alone.</summary>
    public RegistryEntry Put(RegistryEntry entry)
    {
        lock (_gate)
        {
            if (!_services.TryGetValue(entry.Service, out var instances))
            {
                _services[entry.Service] = instances = new(StringComparer.Ordinal);
            }
            if (instances.TryGetValue(entry.Id, out var existing) && existing.SameAs(entry))
            {
                return existing;
            }
            var stored = entry with { ModifyIndex = ++_index };
            instances[entry.Id] = stored;
            Record(new RegistryChange(stored.ModifyIndex, entry.Service, entry.Id, stored)).TrySetResult();
            return stored;
        }
    }

    /// <summary>Removes an instance; false when there was none.</summary>
    public bool Remove(string service, string id)
    {
        lock (_gate)
        {
            if (!_services.TryGetValue(service, out var instances) || !instances.Remove(id))
            {
                return false;
            }
            Record(new RegistryChange(++_index, service, id, null)).TrySetResult();
            return true;
        }
    }

    /// <summary>Changes a stored instance in place (health, draining…); null when it is not registered.</summary>
    public RegistryEntry? Update(string service, string id, Func<RegistryEntry, RegistryEntry> change)
    {
        lock (_gate)
        {
            var existing = Find(service, id);
            return existing is null ? null : Put(change(existing) with { Service = service, Id = id });
        }
    }

    /// <summary>Completes once the index is above <paramref name="index"/> (at once if it already is).</summary>
    public Task WhenChangedAfter(long index, CancellationToken ct)
    {
        lock (_gate)
        {
            return index < _index ? Task.CompletedTask : _changed.Task.WaitAsync(ct);
        }
    }

    /// <summary>
    /// The changes after <paramref name="index"/>, oldest first, for a stream that resumes; null when they are older
    /// than what is kept, and the caller must start again from a snapshot.
    /// </summary>
    public IReadOnlyList<RegistryChange>? ChangesAfter(long index)
    {
        lock (_gate)
        {
            if (index >= _index)
            {
                return [];
            }
            if (_recent.First is not { } oldest || oldest.Value.Index > index + 1)
            {
                return null;
            }
            return [.. _recent.Where(c => c.Index > index)];
        }
    }

    // Called under the gate: keeps the change and hands back the waiters to wake.
    private TaskCompletionSource Record(RegistryChange change)
    {
        _recent.AddLast(change);
        if (_recent.Count > RecentLimit)
        {
            _recent.RemoveFirst();
        }
        var wake = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        return wake;
    }
}
