using System.Text.Json;
using Autonomy.Server.Runtime.Health;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Server.Store;

namespace Autonomy.Server.Config;

/// <summary>
/// Canary releases: a change goes to chosen replicas first (by id, or a percentage of the
/// namespace's service), which see it in their rendered config files and through their own token's
/// reads; then it is promoted (one commit for everyone) or abandoned. With auto-rollback, a canary
/// replica that turns unhealthy, exits or restarts within the watch window abandons it by itself.
/// One canary per namespace is active at a time.
/// </summary>
internal sealed class CanaryReleases(ConfigCenter center, Supervisor supervisor) : IAsyncDisposable
{
    /// <summary>Where canaries are kept: a name no compose service can have (they start with a letter or digit), so no replica owns it.</summary>
    public const string Namespace = ".canaries";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _monitors = [];
    private readonly Lock _gate = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long AtRevision, CanaryRelease? Active, long LastChange)> _current = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called with the namespace and the replicas whose view changed, so their files are rendered again.</summary>
    public Func<string, IReadOnlyCollection<string>, Task>? ReplicasChanged { get; set; }

    /// <summary>Completes at the next start or end of any canary (blocking reads of canary replicas wait on it too).</summary>
    public Task WhenChanged => _changed.Task;

    public IReadOnlyList<CanaryRelease> All(string ns) =>
        [.. center.Store.List(Namespace, $"canary:{ns}:").Select(e => JsonSerializer.Deserialize<CanaryRelease>(e.Value, Json)!).OrderByDescending(c => c.Started)];

    public CanaryRelease? Active(string ns) => Current(ns).Active;

    /// <summary>The revision at which a canary of <paramref name="ns"/> last started or ended (0: never).</summary>
    public long LastChange(string ns) => Current(ns).LastChange;

    /// <summary>
    /// What every replica read asks: worked out again only when the canary records changed (the
    /// records' namespace has a new revision), not by reading every record on every request.
    /// </summary>
    private (CanaryRelease? Active, long LastChange) Current(string ns)
    {
        var revision = center.Store.Namespace(Namespace)?.Revision ?? 0;
        if (_current.TryGetValue(ns, out var known) && known.AtRevision == revision)
        {
            return (known.Active, known.LastChange);
        }
        var active = All(ns).FirstOrDefault(c => c.IsActive);
        var last = center.Store.List(Namespace, $"canary:{ns}:").Select(e => e.Revision).DefaultIfEmpty(0).Max();
        _current[ns] = (revision, active, last);
        return (active, last);
    }

    /// <summary>The active canary of <paramref name="ns"/> that <paramref name="replica"/> takes part in, if any.</summary>
    public CanaryRelease? For(string ns, string? replica) =>
        replica is null ? null : Active(ns) is { } canary && canary.Replicas.Contains(replica) ? canary : null;

    /// <summary>The namespace's entries as a canary replica sees them.</summary>
    public static IReadOnlyList<StoredEntry> Overlay(IReadOnlyList<StoredEntry> entries, CanaryRelease canary)
    {
        var view = entries.ToDictionary(e => e.Key, StringComparer.Ordinal);
        foreach (var op in canary.Operations)
        {
            if (op.Op == "delete")
            {
                view.Remove(op.Key);
            }
            else
            {
                view[op.Key] = new StoredEntry(op.Key, op.Value!, op.ContentType, 0, 0, 0);
            }
        }
        return [.. view.Values.OrderBy(e => e.Key, StringComparer.Ordinal)];
    }

    /// <summary>Starts a canary; the replicas are ids, or chosen by <paramref name="percent"/> of the service named like the namespace.</summary>
    public async Task<CanaryRelease> StartAsync(string ns, IReadOnlyList<CanaryOperation> operations, IReadOnlyList<string>? replicas, int? percent,
        bool autoRollback, TimeSpan window, string author, CancellationToken ct)
    {
        if (Active(ns) is { } active)
        {
            throw new CanaryException($"canary {active.Id} is still active on '{ns}'; promote or abandon it first");
        }
        var running = supervisor.Status().FirstOrDefault(s => s.Name == ns)?.Replicas.Select(r => r.Id).ToList();
        var all = supervisor.Status().SelectMany(s => s.Replicas).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        List<string> chosen;
        if (replicas is { Count: > 0 })
        {
            if (replicas.FirstOrDefault(r => !all.Contains(r)) is { } unknown)
            {
                throw new CanaryException($"no replica '{unknown}' is running (running: {string.Join(", ", all.Order(StringComparer.Ordinal))})");
            }
            chosen = [.. replicas.Distinct(StringComparer.Ordinal)];
        }
        else if (percent is { } p and > 0 and <= 100)
        {
            if (running is not { Count: > 0 })
            {
                throw new CanaryException($"'{ns}' is not a running service, so a percentage has nothing to count; name the replicas instead");
            }
            chosen = [.. running.Order(StringComparer.Ordinal).Take(Math.Max(1, (int)Math.Ceiling(running.Count * p / 100.0)))];
        }
        else
        {
            throw new CanaryException("say which replicas see the change: replica ids, or a percentage from 1 to 100");
        }
        var canary = new CanaryRelease
        {
            Id = $"c{center.Store.Revision + 1}",
            Namespace = ns,
            Operations = operations,
            Replicas = chosen,
            AutoRollback = autoRollback,
            WindowSeconds = window.TotalSeconds,
            Started = DateTimeOffset.UtcNow,
            Author = author,
        };
        await SaveAsync(canary, ct);
        await NotifyAsync(canary);
        if (autoRollback)
        {
            Monitor(canary);
        }
        return canary;
    }

    /// <summary>Commits the canary's writes for every replica as one revision.</summary>
    public async Task<CanaryRelease> PromoteAsync(string ns, string id, string author, CancellationToken ct)
    {
        var canary = Find(ns, id);
        var operations = canary.Operations.Select(o => o.Op == "delete" ? StoreOperation.Delete(o.Key) : StoreOperation.Put(o.Key, o.Value!, o.ContentType)).ToList();
        var result = await center.Store.CommitAsync(new StoreTransaction(ns, operations, author), ct);
        var promoted = canary with { State = "promoted", Ended = DateTimeOffset.UtcNow, Reason = $"promoted by {author}", Revision = result.Revision };
        await SaveAsync(promoted, ct);
        await NotifyAsync(promoted);
        return promoted;
    }

    public async Task<CanaryRelease> AbandonAsync(string ns, string id, string reason, string state = "abandoned", CancellationToken ct = default)
    {
        var abandoned = Find(ns, id) with { State = state, Ended = DateTimeOffset.UtcNow, Reason = reason };
        await SaveAsync(abandoned, ct);
        await NotifyAsync(abandoned);
        return abandoned;
    }

    /// <summary>Resumes watching the active canaries after a restart of the server, for what is left of their windows.</summary>
    public void Resume()
    {
        foreach (var ns in center.Store.List(Namespace, "canary:").Select(e => e.Key.Split(':')[1]).Distinct(StringComparer.Ordinal))
        {
            if (Active(ns) is { AutoRollback: true } canary)
            {
                Monitor(canary);
            }
        }
    }

    /// <summary>
    /// A rolling restart replaced replica <paramref name="old"/> by <paramref name="replacement"/>: every active canary
    /// the old one took part in names the new one instead, before it starts, so that it starts with the canary's view.
    /// </summary>
    public async Task ReplicaReplacedAsync(string old, string replacement, CancellationToken ct)
    {
        var taking = center.Store.List(Namespace, "canary:")
            .Select(e => JsonSerializer.Deserialize<CanaryRelease>(e.Value, Json)!)
            .Where(c => c.IsActive && c.Replicas.Contains(old));
        foreach (var canary in taking.ToList())
        {
            await SaveAsync(canary with { Replicas = [.. canary.Replicas.Select(r => r == old ? replacement : r)] }, ct);
        }
    }

    private CanaryRelease Find(string ns, string id) =>
        All(ns).FirstOrDefault(c => c.Id == id) is { } canary
            ? canary.IsActive ? canary : throw new CanaryException($"canary {id} is already {canary.State}")
            : throw new CanaryNotFoundException($"namespace '{ns}' has no canary '{id}'");

    private async Task SaveAsync(CanaryRelease canary, CancellationToken ct)
    {
        var value = JsonSerializer.Serialize(canary, Json);
        await center.Store.CommitAsync(new StoreTransaction(Namespace, [StoreOperation.Put($"canary:{canary.Namespace}:{canary.Id}", value, "application/json")], canary.Author), ct);
    }

    private async Task NotifyAsync(CanaryRelease canary)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            (changed, _changed) = (_changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        changed.TrySetResult();
        // Promotion reaches everyone through the commit; a start or an end changes what the canary replicas see.
        if (canary.State != "promoted" && ReplicasChanged is { } refresh)
        {
            await refresh(canary.Namespace, canary.Replicas);
        }
    }

    private void Monitor(CanaryRelease canary)
    {
        lock (_gate)
        {
            _monitors.RemoveAll(t => t.IsCompleted);
            _monitors.Add(Task.Run(() => WatchAsync(canary, _stopping.Token)));
        }
    }

    /// <summary>Rolls the canary back when one of its replicas fails within the window.</summary>
    private async Task WatchAsync(CanaryRelease canary, CancellationToken ct)
    {
        var baseline = Replicas(canary).ToDictionary(r => r.Id, r => r.Restarts, StringComparer.Ordinal);
        var until = canary.Started + TimeSpan.FromSeconds(canary.WindowSeconds);
        try
        {
            while (DateTimeOffset.UtcNow < until && Active(canary.Namespace)?.Id == canary.Id)
            {
                // A replica replaced on purpose (on_change: restart) starts again at 0 restarts and is not a failure.
                var failing = Replicas(canary).FirstOrDefault(r => r.Health == HealthStatus.Unhealthy || r.State is ReplicaState.Exited or ReplicaState.Restarting
                    || r.Restarts > baseline.GetValueOrDefault(r.Id, r.Restarts));
                if (failing is not null)
                {
                    var why = failing.Health == HealthStatus.Unhealthy ? "turned unhealthy" : failing.State == ReplicaState.Running ? "restarted" : "exited";
                    await AbandonAsync(canary.Namespace, canary.Id, $"rolled back by itself: {failing.Id} {why} {(DateTimeOffset.UtcNow - canary.Started).TotalSeconds:0.#} s after the canary started", "rolled-back", ct);
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (CanaryException)
        {
            // Promoted or abandoned meanwhile.
        }
    }

    private IEnumerable<ReplicaStatus> Replicas(CanaryRelease canary) =>
        supervisor.Status().SelectMany(s => s.Replicas).Where(r => canary.Replicas.Contains(r.Id));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] monitors;
        lock (_gate)
        {
            monitors = [.. _monitors];
        }
        await Task.WhenAll(monitors).ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }
}

/// <summary>A canary that cannot start or change as asked.</summary>
internal class CanaryException(string message) : Exception(message);

internal sealed class CanaryNotFoundException(string message) : CanaryException(message);
