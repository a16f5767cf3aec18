using Autonomy.Server.Messaging.Model;
using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Rebuilds the broker at start: the definitions file gives the virtual hosts, exchanges, durable queues and
/// bindings; the log's replay, in log order, gives each durable queue its persistent messages (transient ones and
/// those of queues that are gone are dropped), minus those settled, with their return counts and backoff times.
/// After an unclean stop every recovered message is marked redelivered, since any of them may have been out with a
/// consumer; after a clean one only those that were returned.
/// </summary>
internal sealed class Recovery(Broker broker)
{
    private readonly Dictionary<(string Vhost, string Queue), Recovering> _queues = [];
    private readonly List<string> _names = [];
    private bool _clean;

    /// <summary>Creates a virtual host's definitions (nothing is written: this is what the file says).</summary>
    public void Define(VirtualHost vhost, VhostDefinition definition)
    {
        foreach (var exchange in definition.Exchanges)
        {
            vhost.RestoreExchange(exchange);
        }
        foreach (var queue in definition.Queues)
        {
            var restored = vhost.RestoreQueue(queue);
            _queues[(vhost.Name, queue.Name)] = new Recovering(restored);
        }
        foreach (var binding in definition.Bindings)
        {
            vhost.RestoreBinding(binding.Source, binding.Destination, binding.DestinationIsQueue, binding.RoutingKey, binding.Arguments);
        }
    }

    public void Replay(LogPosition position, ReadOnlySpan<byte> payload)
    {
        var reader = new RecordReader(payload);
        var kind = (RecordKind)reader.Byte();
        _clean = kind == RecordKind.CleanStop;
        switch (kind)
        {
            case RecordKind.Message:
                AddMessage(position, ref reader);
                break;
            case RecordKind.Transfer:
                {
                    var from = reader.Name();
                    var origin = new LogPosition(reader.Int64(), reader.Int64());
                    var start = reader.Position;
                    var vhost = reader.MessageHeader(null).Vhost;
                    Find(vhost, from)?.Remove(origin);
                    var message = new RecordReader(payload[start..]);
                    AddMessage(position, ref message);
                    break;
                }
            case RecordKind.Settle:
                {
                    var queue = Find(reader.Name(), reader.Name());
                    var segment = reader.Int64();
                    var count = reader.Int32();
                    var offset = 0L;
                    for (var i = 0; i < count; i++)
                    {
                        offset += (long)reader.VarInt();
                        queue?.Remove(new LogPosition(segment, offset));
                    }
                    break;
                }
            case RecordKind.Return:
                {
                    var queue = Find(reader.Name(), reader.Name());
                    var target = new LogPosition(reader.Int64(), reader.Int64());
                    var deliveryCount = reader.Int32();
                    var readyAt = reader.Int64();
                    var redelivered = reader.Byte() != 0;
                    queue?.Update(target, deliveryCount, readyAt, redelivered);
                    break;
                }
            case RecordKind.QueueDelete:
                Find(reader.Name(), reader.Name())?.RemoveSegment(reader.Int64());
                break;
            case RecordKind.CleanStop:
                break;
            default:
                throw new InvalidDataException($"a broker log record of unknown kind {(byte)kind} at {position}");
        }
    }

    /// <summary>Hands each queue its surviving messages, in log order, and takes the segment references they hold.</summary>
    public void Complete()
    {
        var references = new Dictionary<long, int>();
        foreach (var recovering in _queues.Values)
        {
            foreach (var item in recovering.Entries)
            {
                if (item.Removed)
                {
                    continue;
                }
                var entry = item.Entry;
                if (!_clean)
                {
                    entry.Flags |= EntryFlags.Redelivered;
                }
                recovering.Queue.Restore(entry);
                references[entry.Position.Segment] = references.GetValueOrDefault(entry.Position.Segment) + 1;
            }
            recovering.Entries.Clear();
        }
        foreach (var (segment, count) in references)
        {
            broker.Journal.Retain(segment, count);
        }
        foreach (var recovering in _queues.Values)
        {
            recovering.Queue.Start();
        }
        _queues.Clear();
    }

    private void AddMessage(LogPosition position, ref RecordReader reader)
    {
        _names.Clear();
        var header = reader.MessageHeader(_names);
        if (!header.Persistent)
        {
            return;
        }
        var propertiesLength = reader.Int32();
        var properties = reader.Take(propertiesLength);
        var bodySize = reader.Remaining;
        foreach (var name in _names)
        {
            if (Find(header.Vhost, name) is not { } recovering)
            {
                continue;
            }
            var queue = recovering.Queue;
            var entry = VirtualHost.EntryFor(queue, position, header, bodySize);
            recovering.Entries.Add(new Recovered(entry));
            if (queue.Policy.DeduplicationWindow is not null && PropertiesCodec.Decode(properties).MessageId is { } id)
            {
                queue.RememberMessageId(id, header.PublishedAt);
            }
        }
    }

    private Recovering? Find(string vhost, string queue) => _queues.GetValueOrDefault((vhost, queue));

    private struct Recovered(QueueEntry entry)
    {
        public QueueEntry Entry = entry;
        public bool Removed;
    }

    /// <summary>A queue's messages as the replay finds them; in log order, so positions ascend and are found by binary search.</summary>
    private sealed class Recovering(MessageQueue queue)
    {
        public MessageQueue Queue { get; } = queue;

        public List<Recovered> Entries { get; } = [];

        public void Remove(LogPosition position)
        {
            var index = IndexOf(position);
            if (index >= 0)
            {
                var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Entries);
                span[index].Removed = true;
            }
        }

        public void Update(LogPosition position, int deliveryCount, long readyAt, bool redelivered)
        {
            var index = IndexOf(position);
            if (index < 0)
            {
                return;
            }
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Entries);
            ref var entry = ref span[index].Entry;
            entry.DeliveryCount = deliveryCount;
            entry.ReadyAt = readyAt;
            if (redelivered)
            {
                entry.Flags |= EntryFlags.Redelivered;
            }
        }

        public void RemoveSegment(long segment)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Entries);
            var index = IndexOf(new LogPosition(segment, 0));
            for (var i = index >= 0 ? index : ~index; i < span.Length && span[i].Entry.Position.Segment == segment; i++)
            {
                span[i].Removed = true;
            }
        }

        /// <summary>The index of <paramref name="position"/>, or the complement of where it would go.</summary>
        private int IndexOf(LogPosition position)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Entries);
            int low = 0, high = span.Length - 1;
            while (low <= high)
            {
                var middle = low + ((high - low) / 2);
                var at = span[middle].Entry.Position;
                var order = at.Segment != position.Segment ? at.Segment.CompareTo(position.Segment) : at.Offset.CompareTo(position.Offset);
                if (order == 0)
                {
                    return middle;
                }
                if (order < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }
            return ~low;
        }
    }
}
