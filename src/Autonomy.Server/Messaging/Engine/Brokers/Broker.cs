using System.Collections.Concurrent;
using Autonomy.Server.Messaging.Model;
using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// The embedded message broker: virtual hosts of exchanges and queues over one durable log. Open it with
/// <see cref="OpenAsync"/>, which recovers the definitions and every unsettled durable message.
/// </summary>
public sealed partial class Broker : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, VirtualHost> _vhosts = new(StringComparer.Ordinal);
    private readonly string _definitionsPath;
    private MessageJournal? _journal;
    private ITimer? _diskCheck;
    private Exception? _failure;
    private int _disposed;

    private Broker(BrokerOptions options)
    {
        Options = options;
        Time = options.Time;
        Flow = new FlowControl(options.MemoryHighWatermarkBytes);
        Cache = new BodyCache(options.BodyCacheBytes);
        DeadLetters = new DeadLetterer(this);
        _definitionsPath = Path.Combine(options.Directory, DefinitionsFile.FileName);
    }

    internal BrokerOptions Options { get; }

    internal TimeProvider Time { get; }

    internal FlowControl Flow { get; }

    internal BodyCache Cache { get; }

    internal DeadLetterer DeadLetters { get; }

    internal BrokerCounters Counters { get; } = new();

    internal MessageJournal Journal => _journal ?? throw new InvalidOperationException("the broker's log is not open yet");

    /// <summary>Now, in Unix milliseconds, by the broker's clock.</summary>
    internal long Now => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The first unexpected error the broker met in the background (a failed disk, a throwing sink), if any.</summary>
    public Exception? LastFailure => Volatile.Read(ref _failure) ?? _journal?.Failure;

    /// <summary>Opens the broker in <see cref="BrokerOptions.Directory"/>, creating it if needed, and recovers its state.</summary>
    public static async Task<Broker> OpenAsync(BrokerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BodyCacheBytes < 0 || options.MemoryHighWatermarkBytes <= 0 || options.SegmentBytes <= 0)
        {
            throw new ArgumentException("broker options: BodyCacheBytes must not be negative, MemoryHighWatermarkBytes and SegmentBytes must be positive", nameof(options));
        }
        Directory.CreateDirectory(options.Directory);
        var broker = new Broker(options);
        var recovery = new Recovery(broker);
        foreach (var definition in DefinitionsFile.Load(broker._definitionsPath).Vhosts)
        {
            var vhost = new VirtualHost(broker, definition.Name);
            broker._vhosts[definition.Name] = vhost;
            recovery.Define(vhost, definition);
        }
        broker._journal = await MessageJournal.OpenAsync(Path.Combine(options.Directory, "log"), options.Files,
            new MessageLogOptions { SegmentBytes = options.SegmentBytes, Time = options.Time },
            broker.Cache, broker.Flow, recovery.Replay, ct).ConfigureAwait(false);
        recovery.Complete();
        broker.StartDiskCheck();
        return broker;
    }

    public IReadOnlyList<string> VirtualHostNames => [.. _vhosts.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Creates a virtual host with its amq.* exchanges; declaring one that exists returns it.</summary>
    public async Task<VirtualHost> DeclareVirtualHostAsync(string name)
    {
        Names.Check(name, "vhost");
        if (name.Length == 0)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, "a vhost needs a name");
        }
        if (_vhosts.TryGetValue(name, out var existing))
        {
            return existing;
        }
        await using var topology = await EnterTopologyAsync(null).ConfigureAwait(false);
        if (_vhosts.TryGetValue(name, out existing))
        {
            return existing;
        }
        var vhost = new VirtualHost(this, name);
        _vhosts[name] = vhost;
        topology.DefinitionsChanged();
        return vhost;
    }

    /// <summary>The virtual host; NOT_FOUND when there is none.</summary>
    public VirtualHost GetVirtualHost(string name) =>
        _vhosts.TryGetValue(name ?? throw new ArgumentNullException(nameof(name)), out var vhost) ? vhost : throw BrokerErrors.NoVhost(name);

    public bool TryGetVirtualHost(string name, out VirtualHost vhost) => _vhosts.TryGetValue(name, out vhost!);

    /// <summary>Deletes a virtual host with its exchanges, queues and messages; its sessions are closed.</summary>
    public async Task DeleteVirtualHostAsync(string name)
    {
        var vhost = GetVirtualHost(name);
        foreach (var session in vhost.OpenSessions.ToList())
        {
            await session.CloseAsync(countReturns: false).ConfigureAwait(false);
        }
        await using var topology = await EnterTopologyAsync(null).ConfigureAwait(false);
        if (!_vhosts.TryRemove(name, out _))
        {
            return;
        }
        vhost.Deleted = true;
        foreach (var queue in vhost.AllQueues.ToList())
        {
            vhost.RemoveQueue(queue, topology);
        }
        topology.DefinitionsChanged();
    }

    /// <summary>A connection ended: its exclusive queues are deleted.</summary>
    public void CloseOwner(object owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        using var topology = EnterTopology();
        foreach (var vhost in _vhosts.Values)
        {
            vhost.RemoveOwnedQueues(owner, topology);
        }
    }

    /// <summary>True while publishers are held back (memory or disk under pressure).</summary>
    public bool IsBlocked => Flow.IsBlocked;

    /// <summary>
    /// Completes when publishers are no longer held back: at once when they are not. A protocol layer that owns its
    /// flow control waits here before it reads the next publish, then publishes with skipFlowWait.
    /// </summary>
    public ValueTask WaitWhileBlockedAsync(CancellationToken ct = default) => Flow.WaitAsync(ct);

    /// <summary>Raised with (blocked, reason) when publishers start or stop being held back.</summary>
    public event Action<bool, string>? BlockedChanged
    {
        add => Flow.Changed += value;
        remove => Flow.Changed -= value;
    }

    public BrokerStats Stats
    {
        get
        {
            var log = Journal.LogStats;
            return new BrokerStats(Counters.Published, Counters.Delivered, Counters.Acknowledged, Counters.Redelivered,
                Counters.DeadLettered, Counters.Expired, log.Fsyncs, Flow.PendingBytes + Cache.Bytes, log.Bytes, log.Segments);
        }
    }

    /// <summary>
    /// Stops the broker: sessions end (their unacknowledged messages return to their queues, not counted as failed
    /// deliveries), background work finishes, and a clean-stop record tells the next start that nothing else was out.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _diskCheck?.Dispose();
        foreach (var vhost in _vhosts.Values)
        {
            foreach (var session in vhost.OpenSessions.ToList())
            {
                await session.CloseAsync(countReturns: false).ConfigureAwait(false);
            }
        }
        await DeadLetters.IdleAsync().ConfigureAwait(false);
        foreach (var queue in _vhosts.Values.SelectMany(v => v.AllQueues))
        {
            queue.Stop();
        }
        if (_journal is null)
        {
            return;
        }
        await _journal.DrainAsync().ConfigureAwait(false);
        // Only a log that took every record can vouch that nothing else was out.
        if (_journal.Failure is null)
        {
            try
            {
                await _journal.AppendAsync(RecordWriter.CleanStop(), durable: true).ConfigureAwait(false);
            }
            catch (IOException error)
            {
                NoteFailure(error);
            }
        }
        await _journal.DisposeAsync().ConfigureAwait(false);
    }

    internal void ThrowIfUnavailable() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    internal void NoteFailure(Exception error) => Interlocked.CompareExchange(ref _failure, error, null);

    internal IEnumerable<VirtualHost> AllVirtualHosts => _vhosts.Values;

    private void StartDiskCheck()
    {
        CheckDisk();
        _diskCheck = Time.CreateTimer(static state => ((Broker)state!).CheckDisk(), this, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    private void CheckDisk()
    {
        try
        {
            var free = new DriveInfo(Path.GetFullPath(Options.Directory)).AvailableFreeSpace;
            var blocked = free < Options.DiskFreeLimitBytes;
            if (blocked != Flow.IsDiskBlocked)
            {
                Flow.SetDiskBlocked(blocked, free);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
        {
            NoteFailure(error);
        }
    }
}
