using System.Collections.Concurrent;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// A namespace of exchanges, queues and bindings. Errors are <see cref="BrokerException"/>s with the reply code
/// RabbitMQ would close the channel with. <c>owner</c> parameters name the connection acting (null: the platform
/// itself, which may use any queue), which matters for exclusive queues.
/// </summary>
public sealed partial class VirtualHost
{
    private readonly ConcurrentDictionary<string, Exchange> _exchanges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MessageQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Session, byte> _sessions = new();

    internal VirtualHost(Broker broker, string name)
    {
        Broker = broker;
        Name = name;
        AddBuiltIn("", ExchangeKind.Direct);
        AddBuiltIn("amq.direct", ExchangeKind.Direct);
        AddBuiltIn("amq.fanout", ExchangeKind.Fanout);
        AddBuiltIn("amq.topic", ExchangeKind.Topic);
        AddBuiltIn("amq.headers", ExchangeKind.Headers);
        AddBuiltIn("amq.match", ExchangeKind.Headers);
    }

    public string Name { get; }

    internal Broker Broker { get; }

    internal bool Deleted { get; set; }

    public IReadOnlyList<ExchangeInfo> Exchanges => [.. _exchanges.Values.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => e.Info)];

    public IReadOnlyList<QueueInfo> Queues => [.. _queues.Values.OrderBy(q => q.Name, StringComparer.Ordinal).Select(q => q.Info)];

    /// <summary>Every binding, the default exchange's implicit one to each queue included (as RabbitMQ lists them).</summary>
    public IReadOnlyList<BindingInfo> Bindings
    {
        get
        {
            Broker.Topology.Wait();
            try
            {
                var implicitOnes = _queues.Keys.Order(StringComparer.Ordinal).Select(q => new BindingInfo("", q, true, q, new FieldTable()));
                var declared = _exchanges.Values.OrderBy(e => e.Name, StringComparer.Ordinal).SelectMany(e => e.Bindings).Select(b => b.Info);
                return [.. implicitOnes, .. declared];
            }
            finally
            {
                Broker.Topology.Release();
            }
        }
    }

    /// <summary>The queue's state; NOT_FOUND when there is none.</summary>
    public QueueInfo GetQueue(string name) => FindQueue(name).Info;

    public bool TryGetQueue(string name, out QueueInfo info)
    {
        if (_queues.TryGetValue(name, out var queue))
        {
            info = queue.Info;
            return true;
        }
        info = null!;
        return false;
    }

    /// <summary>The exchange; NOT_FOUND when there is none.</summary>
    public ExchangeInfo GetExchange(string name) => FindExchange(name).Info;

    /// <summary>A channel: consumers, gets and acknowledgements, with delivery tags of its own.</summary>
    public Session OpenSession(object? owner = null)
    {
        Broker.ThrowIfUnavailable();
        if (Deleted)
        {
            throw BrokerErrors.NoVhost(Name);
        }
        var session = new Session(this, owner);
        _sessions[session] = 0;
        return session;
    }

    /// <summary>The next ready messages of a queue, left where they are (for inspecting dead letters).</summary>
    public Task<IReadOnlyList<Delivery>> PeekAsync(string queue, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 0);
        var source = FindQueue(queue);
        var entries = source.PeekReady(max);
        var deliveries = new List<Delivery>(entries.Count);
        try
        {
            foreach (var entry in entries)
            {
                deliveries.Add(source.ToDelivery(entry, Broker.Journal.Load(entry.Position), 0, null, 0));
            }
        }
        finally
        {
            foreach (var entry in entries)
            {
                Broker.Journal.Release(entry.Position.Segment);
            }
        }
        return Task.FromResult<IReadOnlyList<Delivery>>(deliveries);
    }

    /// <summary>Shows every message that enters the queue to <paramref name="observer"/> (which must not block), taking none.</summary>
    public IDisposable Tap(string queue, Action<Delivery> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return FindQueue(queue).AddTap(observer);
    }

    internal MessageQueue FindQueue(string name) =>
        _queues.TryGetValue(name ?? throw new ArgumentNullException(nameof(name)), out var queue) ? queue : throw BrokerErrors.NoQueue(name, Name);

    internal Exchange FindExchange(string name) =>
        _exchanges.TryGetValue(name ?? throw new ArgumentNullException(nameof(name)), out var exchange) ? exchange : throw BrokerErrors.NoExchange(name, Name);

    internal Exchange? FindExchangeOrNull(string name) => _exchanges.TryGetValue(name, out var exchange) ? exchange : null;

    /// <summary>The exchange named <paramref name="name"/>, if it exists; never throws (a null name is simply not found).</summary>
    public bool TryGetExchange(string name, out ExchangeInfo info)
    {
        if (name is not null && _exchanges.TryGetValue(name, out var exchange))
        {
            info = exchange.Info;
            return true;
        }
        info = null!;
        return false;
    }

    internal IEnumerable<MessageQueue> AllQueues => _queues.Values;

    internal IEnumerable<Exchange> AllExchanges => _exchanges.Values;

    internal IEnumerable<Session> OpenSessions => _sessions.Keys;

    internal void Forget(Session session) => _sessions.TryRemove(session, out _);

    private void AddBuiltIn(string name, ExchangeKind kind) =>
        _exchanges[name] = new Exchange(this, name, kind, durable: true, autoDelete: false, @internal: false, new FieldTable(), builtIn: true);
}
