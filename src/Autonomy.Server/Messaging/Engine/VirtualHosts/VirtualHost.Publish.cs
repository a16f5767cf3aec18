using System.Globalization;
using System.Runtime.CompilerServices;
using Autonomy.Server.Messaging.Model;
using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Server.Messaging.Engine;

public sealed partial class VirtualHost
{
    /// <summary>
    /// Routes a message and stores it in every queue it reaches. Completes when each holds it durably: a
    /// persistent message to a durable queue after the log's fsync, anything else once written. While the broker
    /// is blocked (memory or disk) it waits rather than refusing.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<PublishOutcome> PublishAsync(string exchange, string routingKey, MessageProperties properties,
        ReadOnlyMemory<byte> body, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(properties);
        Names.CheckRoutingKey(routingKey);
        Broker.ThrowIfUnavailable();
        var wait = Broker.Flow.WaitAsync(ct);
        if (!wait.IsCompletedSuccessfully)
        {
            await wait.ConfigureAwait(false);
        }
        var source = FindExchange(exchange);
        if (source.Internal)
        {
            throw new BrokerException(ReplyCode.AccessRefused, $"cannot publish to internal exchange '{exchange}' in vhost '{Name}'");
        }
        byte[] encoded;
        try
        {
            encoded = PropertiesCodec.Encode(properties);
        }
        catch (ArgumentException error)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, error.Message);
        }
        var targets = new List<MessageQueue>(2);
        Route(source, routingKey, properties.Headers, targets);
        Interlocked.Increment(ref Broker.Counters.Published);
        return await StoreAsync(targets, exchange, routingKey, properties, encoded, body, origin: null).ConfigureAwait(false);
    }

    /// <summary>The queues a message reaches from <paramref name="source"/>, through exchange-to-exchange bindings too, each once.</summary>
    internal void Route(Exchange source, string routingKey, FieldTable? headers, List<MessageQueue> queues)
    {
        if (source.IsDefault)
        {
            if (_queues.TryGetValue(routingKey, out var named))
            {
                queues.Add(named);
            }
            return;
        }
        var matches = new List<Binding>();
        var visited = new List<Exchange> { source };
        var pending = new Stack<Exchange>();
        pending.Push(source);
        while (pending.TryPop(out var exchange))
        {
            matches.Clear();
            exchange.Router.Route(routingKey, headers, matches);
            foreach (var binding in matches)
            {
                if (binding.Queue is { } queue)
                {
                    if (!queues.Contains(queue))
                    {
                        queues.Add(queue);
                    }
                }
                else if (!visited.Contains(binding.Exchange!))
                {
                    visited.Add(binding.Exchange!);
                    pending.Push(binding.Exchange!);
                }
            }
        }
        if (queues.Count == 0 && source.AlternateExchange is { } name && FindExchangeOrNull(name) is { } alternate
            && !ReferenceEquals(alternate, source))
        {
            Route(alternate, routingKey, headers, queues);
        }
    }

    /// <summary>
    /// Stores a routed message in the queues that admit it: one record for all of them (for a transfer, the same
    /// record also settles the message where it came from), then an entry in each.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<PublishOutcome> StoreAsync(List<MessageQueue> targets, string exchange, string routingKey,
        MessageProperties properties, byte[] encodedProperties, ReadOnlyMemory<byte> body, Origin? origin)
    {
        var now = Broker.Now;
        var expiresAfter = ExpirationOf(properties);
        var readyAt = DelayOf(properties) is { } delay and > 0 ? now + delay : 0;
        var accepted = new List<MessageQueue>(targets.Count);
        List<MessageQueue>? refusedToDeadLetters = null;
        var rejected = false;
        var duplicates = 0;
        foreach (var queue in targets)
        {
            switch (queue.Admit(body.Length, properties.MessageId))
            {
                case Admission.Accepted: accepted.Add(queue); break;
                case Admission.Rejected: rejected = true; break;
                case Admission.RejectedToDeadLetters: rejected = true; (refusedToDeadLetters ??= []).Add(queue); break;
                case Admission.Duplicate: duplicates++; break;
                case Admission.Gone: break;
            }
        }
        StoredMessage? stored = null;
        if (accepted.Count > 0)
        {
            var header = new MessageHeader(Name, exchange, routingKey, properties.Persistent, now, readyAt, expiresAfter, properties.Priority ?? 0);
            var names = accepted.ConvertAll(q => q.Name);
            var record = origin is { } from
                ? RecordWriter.Transfer(from.Queue.Name, from.Entry.Position, header, names, encodedProperties, body.Span)
                : RecordWriter.Message(header, names, encodedProperties, body.Span);
            var durable = properties.Persistent && accepted.Exists(q => q.Durable);
            LogPosition position;
            try
            {
                position = await Broker.Journal.AppendAsync(record, durable, origin?.Entry.Position.Segment, retain: accepted.Count).ConfigureAwait(false);
            }
            catch
            {
                foreach (var queue in accepted)
                {
                    queue.Withdraw(body.Length);
                }
                throw;
            }
            stored = StoredMessage.FromRecord(record, properties);
            Broker.Journal.Cache.Add(position, stored);
            foreach (var queue in accepted)
            {
                queue.Enqueue(EntryFor(queue, position, header, body.Length), stored);
            }
            origin?.Queue.Finish(origin.Value.Entry, settleRecordNeeded: false);
        }
        else if (origin is { } from)
        {
            from.Queue.Finish(from.Entry, settleRecordNeeded: from.Entry.Recoverable);
        }
        if (refusedToDeadLetters is not null)
        {
            var header = new MessageHeader(Name, exchange, routingKey, properties.Persistent, now, readyAt, expiresAfter, properties.Priority ?? 0);
            foreach (var queue in refusedToDeadLetters)
            {
                Broker.DeadLetters.SendRefused(queue, header, properties, body);
            }
        }
        return accepted.Count > 0 ? (rejected ? PublishOutcome.Rejected : PublishOutcome.Routed)
            : rejected ? PublishOutcome.Rejected
            : duplicates > 0 ? PublishOutcome.Duplicate
            : PublishOutcome.Unroutable;
    }

    /// <summary>The entry a queue keeps for a message: its TTL counts from when the message is ready.</summary>
    internal static QueueEntry EntryFor(MessageQueue queue, LogPosition position, in MessageHeader header, int bodySize)
    {
        var start = header.ReadyAt > 0 ? header.ReadyAt : header.PublishedAt;
        var expiresAt = long.MaxValue;
        if (queue.Policy.MessageTtl is { } ttl)
        {
            expiresAt = start + ttl;
        }
        if (header.ExpiresAfter >= 0)
        {
            expiresAt = Math.Min(expiresAt, start + header.ExpiresAfter);
        }
        return new QueueEntry
        {
            Position = position,
            ExpiresAt = expiresAt,
            ReadyAt = header.ReadyAt,
            BodySize = bodySize,
            Priority = queue.Policy.MaxPriority > 0 ? Math.Min(header.Priority, queue.Policy.MaxPriority) : (byte)0,
            Flags = header.Persistent && queue.Durable ? EntryFlags.Recoverable : EntryFlags.None,
        };
    }

    /// <summary>The expiration property: a whole number of milliseconds as text, or -1 when there is none.</summary>
    private static long ExpirationOf(MessageProperties properties)
    {
        if (properties.Expiration is not { } text)
        {
            return -1;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : throw new BrokerException(ReplyCode.PreconditionFailed, $"invalid expiration '{text}': expected a whole number of milliseconds");
    }

    /// <summary>The x-delay header in milliseconds (an integer, or digits as text), if any.</summary>
    private static long? DelayOf(MessageProperties properties)
    {
        if (properties.Headers is null || !properties.Headers.TryGetValue(QueueArguments.DelayHeader, out var value) || value is null)
        {
            return null;
        }
        if (FieldValues.TryGetInteger(value, out var ms))
        {
            return Math.Max(0, ms);
        }
        return FieldValues.TryGetString(value, out var text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ms)
            ? Math.Max(0, ms)
            : throw new BrokerException(ReplyCode.PreconditionFailed,
                $"invalid {QueueArguments.DelayHeader} header '{FieldValues.Describe(value)}': expected a whole number of milliseconds");
    }

    /// <summary>Where a transferred message comes from: its queue and its entry there.</summary>
    internal readonly record struct Origin(MessageQueue Queue, QueueEntry Entry);
}
