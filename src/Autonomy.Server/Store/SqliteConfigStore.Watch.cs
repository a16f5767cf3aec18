using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Autonomy.Server.Store;

public sealed partial class SqliteConfigStore
{

    private readonly List<Subscription> _subscriptions = [];
    private readonly Dictionary<string, TaskCompletionSource> _changed = new(StringComparer.Ordinal);

    public async IAsyncEnumerable<IReadOnlyList<ChangeEvent>> WatchAsync(string ns, long afterRevision, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!_namespaces.ContainsKey(ns))
        {
            throw new UnknownNamespaceException(ns);
        }
        var last = afterRevision;
        while (!ct.IsCancellationRequested)
        {
            var subscription = Subscribe(ns, WatcherBuffer, out var registeredAt);
            try
            {
                // What committed before the subscription comes from the history; what commits after, from the subscription.
                if (last < registeredAt)
                {
                    foreach (var revision in Changes(ns, last, registeredAt).GroupBy(c => c.Revision))
                    {
                        yield return [.. revision];
                        last = revision.Key;
                    }
                    last = registeredAt;
                }
                await foreach (var revision in subscription.Reader.ReadAllAsync(ct))
                {
                    if (revision[0].Revision > last)
                    {
                        yield return revision;
                        last = revision[0].Revision;
                    }
                }
            }
            finally
            {
                Unsubscribe(subscription);
            }
            // The subscription overflowed (a slow reader): start again from the last revision delivered.
        }
    }

    public async Task<long> WaitAsync(string ns, long afterRevision, TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (!_namespaces.TryGetValue(ns, out var state))
                {
                    throw new UnknownNamespaceException(ns);
                }
                if (state.Revision > afterRevision)
                {
                    return state.Revision;
                }
                if (!_changed.TryGetValue(ns, out var signal))
                {
                    _changed[ns] = signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                changed = signal.Task;
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return _namespaces.TryGetValue(ns, out var state) ? state.Revision : afterRevision;
            }
        }
    }

    /// <summary>How many revisions a watcher may fall behind before it is switched to reading the history instead (it still misses nothing).</summary>
    internal int WatcherBuffer { get; init; } = 10_000;

    /// <summary>How many SQLite transactions (each one fsync) have committed writes: fewer than the writes when they are grouped.</summary>
    internal long CommittedBatches => Interlocked.Read(ref _committedBatches);

    private long _committedBatches;

    private Subscription Subscribe(string ns, int buffer, out long registeredAt)
    {
        var subscription = new Subscription(ns, buffer);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
            registeredAt = _revision;
        }
        return subscription;
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    /// <summary>Hands a batch's changes to every watcher, a revision at a time, and wakes blocking queries; called under the gate.</summary>
    private void Publish(List<ChangeEvent> events)
    {
        foreach (var revision in events.GroupBy(e => e.Revision))
        {
            ChangeEvent[] changes = [.. revision];
            foreach (var subscription in _subscriptions)
            {
                if (subscription.Namespace == changes[0].Namespace && !subscription.Writer.TryWrite(changes))
                {
                    // Full: end this subscription; its reader resumes from the history.
                    subscription.Writer.TryComplete();
                }
            }
        }
        foreach (var ns in events.Select(e => e.Namespace).Distinct())
        {
            if (_changed.Remove(ns, out var signal))
            {
                signal.TrySetResult();
            }
        }
    }

    /// <summary>The namespace's changes with revisions in (<paramref name="after"/>, <paramref name="upTo"/>], oldest first.</summary>
    private List<ChangeEvent> Changes(string ns, long after, long upTo)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT v.key, v.revision, v.value, v.content_type, v.time, v.author
            FROM versions v
            WHERE v.ns = $ns AND v.revision > $after AND v.revision <= $upto
            ORDER BY v.revision, v.key
            """;
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$upto", upTo);
        using var reader = command.ExecuteReader();
        var changes = new List<ChangeEvent>();
        while (reader.Read())
        {
            changes.Add(new ChangeEvent(ns, reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetString(5)));
        }
        return changes;
    }

    private sealed class Subscription(string ns, int buffer)
    {
        private readonly Channel<ChangeEvent[]> _channel = Channel.CreateBounded<ChangeEvent[]>(new BoundedChannelOptions(buffer)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        public string Namespace { get; } = ns;

        public ChannelReader<ChangeEvent[]> Reader => _channel.Reader;

        public ChannelWriter<ChangeEvent[]> Writer => _channel.Writer;
    }
}
