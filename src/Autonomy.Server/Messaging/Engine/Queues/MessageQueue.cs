using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// A queue: its ready, delayed and unacknowledged messages, its consumers and its policy. One lock guards its state,
/// held only for in-memory work: bodies are loaded, records appended and sinks called outside it. Deliveries run on
/// the thread pool (the queue is its own work item), so publishers never wait for consumers.
/// </summary>
internal sealed partial class MessageQueue
{
    private readonly Lock _gate = new();
    private readonly List<(QueueEntry Entry, Consumer Consumer)> _dispatchBatch = [];
    private readonly ReadyEntries _ready;
    private readonly DelayedEntries _delayed = new();
    private readonly Dictionary<long, int> _segments = [];
    private readonly Deduplication? _deduplication;
    private int _unacked;
    private long _unackedBytes;
    private int _reserved;
    private long _reservedBytes;
    private bool _deleted;
    private long _published;
    private long _delivered;

    public MessageQueue(VirtualHost vhost, string name, bool durable, bool exclusive, bool autoDelete, FieldTable arguments,
        QueuePolicy policy, object? owner)
    {
        Vhost = vhost;
        Name = name;
        NameAlone = [name];
        Durable = durable;
        Exclusive = exclusive;
        AutoDelete = autoDelete;
        Arguments = arguments;
        Policy = policy;
        Owner = owner;
        _ready = new ReadyEntries(policy.MaxPriority);
        _deduplication = policy.DeduplicationWindow is { } window ? new Deduplication(window) : null;
        _lastUsed = Now;
    }

    public VirtualHost Vhost { get; }
    public string Name { get; }

    /// <summary>The list of queue names a record reaching only this queue carries (kept, so publishing does not build one each time).</summary>
    public IReadOnlyList<string> NameAlone { get; }
    public bool Durable { get; }
    public bool Exclusive { get; }
    public bool AutoDelete { get; }
    public FieldTable Arguments { get; }
    public QueuePolicy Policy { get; }

    /// <summary>The connection an exclusive queue belongs to.</summary>
    public object? Owner { get; }

    public bool IsDeleted { get { lock (_gate) { return _deleted; } } }

    private Broker Broker => Vhost.Broker;

    private MessageJournal Journal => Vhost.Broker.Journal;

    private long Now => Vhost.Broker.Now;

    /// <summary>Ready messages now (basic.get-ok's message count, queue.declare-ok's).</summary>
    public int ReadyCount { get { lock (_gate) { return _ready.Count; } } }

    public QueueInfo Info
    {
        get
        {
            lock (_gate)
            {
                return new QueueInfo(Name, Vhost.Name, Durable, Exclusive, AutoDelete, Arguments.Clone(), _ready.Count, _unacked,
                    _delayed.Count, _ready.Bytes + _delayed.Bytes + _unackedBytes, _consumers.Count)
                {
                    DeadLetterExchange = Policy.DeadLetterExchange,
                    Published = _published,
                    Delivered = _delivered,
                };
            }
        }
    }

    /// <summary>Checks that <paramref name="owner"/> may use this queue (RESOURCE_LOCKED when it is another's exclusive queue).</summary>
    public void CheckAccess(object? owner)
    {
        if (Exclusive && owner is not null && !ReferenceEquals(owner, Owner))
        {
            throw BrokerErrors.Locked(Name, Vhost.Name);
        }
    }

    /// <summary>
    /// Asks the queue to take a message of <paramref name="bodySize"/> bytes. Accepted reserves room for it and its
    /// place in line (<paramref name="ticket"/>): the queue takes messages in the order they were admitted, whatever
    /// order their records reach the disk in.
    /// </summary>
    public Admission Admit(int bodySize, string? messageId, out long ticket)
    {
        ticket = -1;
        lock (_gate)
        {
            if (_deleted)
            {
                return Admission.Gone;
            }
            if (Policy.HasLengthLimit && Policy.Overflow != OverflowMode.DropHead && IsFull(bodySize))
            {
                return Policy.Overflow == OverflowMode.RejectPublish ? Admission.Rejected : Admission.RejectedToDeadLetters;
            }
            if (_deduplication is not null && messageId is not null && !_deduplication.TryRecord(messageId, Now))
            {
                return Admission.Duplicate;
            }
            _reserved++;
            _reservedBytes += bodySize;
            ticket = _nextTicket++;
            return Admission.Accepted;
        }
    }

    /// <summary>A message recovered from the log, in log order; the segment is already retained.</summary>
    public void Restore(in QueueEntry entry)
    {
        lock (_gate)
        {
            Count(entry);
            if (entry.ReadyAt > Now)
            {
                _delayed.Add(entry);
            }
            else
            {
                _ready.PushBack(entry);
            }
        }
    }

    /// <summary>Recovery: an id this queue saw, for its de-duplication window.</summary>
    public void RememberMessageId(string messageId, long publishedAt)
    {
        lock (_gate)
        {
            _deduplication?.Remember(messageId, publishedAt, Now);
        }
    }

    public Delivery ToDelivery(in QueueEntry entry, in StoredMessage message, ulong tag, string? consumerTag, long messageCount) =>
        new(tag, consumerTag, entry.Redelivered, message.Header.Exchange, message.Header.RoutingKey, message.Body,
            entry.DeliveryCount, Name, messageCount)
        {
            EncodedProperties = message.EncodedProperties,
        };

    private bool IsFull(int bodySize) =>
        (Policy.MaxLength is { } max && _ready.Count + _delayed.Count + _reserved + 1 > max)
        || (Policy.MaxLengthBytes is { } maxBytes && _ready.Bytes + _delayed.Bytes + _reservedBytes + bodySize > maxBytes);

    private bool IsOver() =>
        (Policy.MaxLength is { } max && _ready.Count + _delayed.Count > max)
        || (Policy.MaxLengthBytes is { } maxBytes && _ready.Bytes + _delayed.Bytes > maxBytes);

    /// <summary>Counts an entry against its segment (under the lock), for the deletion records a durable queue writes.</summary>
    private void Count(in QueueEntry entry) =>
        _segments[entry.Position.Segment] = _segments.GetValueOrDefault(entry.Position.Segment) + 1;
}
