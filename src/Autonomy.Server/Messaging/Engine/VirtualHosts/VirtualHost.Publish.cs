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
    public ValueTask<PublishOutcome> PublishAsync(string exchange, string routingKey, MessageProperties properties,
        ReadOnlyMemory<byte> body, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(properties);
        byte[] encoded;
        try
        {
            encoded = PropertiesCodec.Encode(properties);
        }
        catch (ArgumentException error)
        {
            return ValueTask.FromException<PublishOutcome>(new BrokerException(ReplyCode.PreconditionFailed, error.Message));
        }
        return PublishCoreAsync(exchange, routingKey, encoded, body, skipFlowWait: false, properties, ct);
    }

    /// <summary>
    /// Publishes a message whose properties are given as an AMQP content header carries them (the flag word, then
    /// the present properties: <see cref="PropertiesCodec"/>'s format). They are stored and delivered byte for byte;
    /// the broker only peeks at what it acts on. Malformed properties are a <see cref="BrokerException"/> with
    /// <see cref="ReplyCode.SyntaxError"/>. The properties and body are copied before this returns, so the caller may
    /// reuse its buffers then.
    /// <para>
    /// Publishes issued one after the other without waiting reach each queue in the order they were issued. The
    /// outcome completes once the message is durable; <paramref name="mandatory"/> changes nothing here (an
    /// unroutable message is <see cref="PublishOutcome.Unroutable"/> either way; returning it is the protocol's
    /// business). With <paramref name="skipFlowWait"/> the publish never waits for a blocked broker: the caller holds
    /// its publishers back itself (<see cref="Broker.WaitWhileBlockedAsync"/>).
    /// </para>
    /// </summary>
    public ValueTask<PublishOutcome> PublishAsync(string exchange, string routingKey, ReadOnlyMemory<byte> encodedProperties,
        ReadOnlyMemory<byte> body, bool mandatory, bool skipFlowWait, CancellationToken ct)
    {
        // Mandatory or not, an unroutable message is reported the same way; the protocol returns it when asked to.
        _ = mandatory;
        return PublishCoreAsync(exchange, routingKey, encodedProperties, body, skipFlowWait, known: null, ct);
    }

    /// <summary>
    /// Publishes without a state machine of its own when the broker is not blocked: everything up to the store runs
    /// here, synchronously and in call order, and the store's own task is handed back. Errors come back in the task.
    /// </summary>
    private ValueTask<PublishOutcome> PublishCoreAsync(string exchange, string routingKey, ReadOnlyMemory<byte> encodedProperties,
        ReadOnlyMemory<byte> body, bool skipFlowWait, MessageProperties? known, CancellationToken ct)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(exchange);
            Names.CheckRoutingKey(routingKey);
            Broker.ThrowIfUnavailable();
            if (!skipFlowWait)
            {
                var wait = Broker.Flow.WaitAsync(ct);
                if (!wait.IsCompletedSuccessfully)
                {
                    return PublishAfterAsync(wait, exchange, routingKey, encodedProperties, body, known);
                }
            }
            return Store(exchange, routingKey, encodedProperties, body, known);
        }
        catch (Exception error)
        {
            return ValueTask.FromException<PublishOutcome>(error);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<PublishOutcome> PublishAfterAsync(ValueTask wait, string exchange, string routingKey,
        ReadOnlyMemory<byte> encodedProperties, ReadOnlyMemory<byte> body, MessageProperties? known)
    {
        await wait.ConfigureAwait(false);
        return await Store(exchange, routingKey, encodedProperties, body, known).ConfigureAwait(false);
    }

    private ValueTask<PublishOutcome> Store(string exchange, string routingKey, ReadOnlyMemory<byte> encodedProperties,
        ReadOnlyMemory<byte> body, MessageProperties? known)
    {
        var source = FindExchange(exchange);
        if (source.Internal)
        {
            throw new BrokerException(ReplyCode.AccessRefused, $"cannot publish to internal exchange '{exchange}' in vhost '{Name}'");
        }
        var scratch = PublishScratch.Take();
        try
        {
            var facts = Peek(encodedProperties.Span, known, source, routingKey, scratch);
            Interlocked.Increment(ref Broker.Counters.Published);
            return StoreAsync(scratch.Targets, exchange, routingKey, facts, encodedProperties, body, origin: null, known);
        }
        finally
        {
            PublishScratch.Return(scratch);
        }
    }

    /// <summary>Reads what the broker acts on from the encoded properties and routes the message with its headers.</summary>
    private PublishFacts Peek(ReadOnlySpan<byte> encodedProperties, MessageProperties? known, Exchange source, string routingKey,
        PublishScratch scratch)
    {
        BasicPropertiesView view;
        FieldTable? headers;
        try
        {
            view = PropertiesCodec.Peek(encodedProperties);
            headers = known is not null ? known.Headers : view.ReadHeaders();
        }
        catch (FormatException error)
        {
            throw new BrokerException(ReplyCode.SyntaxError, $"malformed message properties: {error.Message}");
        }
        Route(source, routingKey, headers, scratch.Targets, scratch);
        var needsMessageId = false;
        foreach (var queue in scratch.Targets)
        {
            needsMessageId |= queue.Policy.DeduplicationWindow is not null;
        }
        return PublishFacts.Read(view, headers, needsMessageId);
    }
    /// <summary>The queues a message reaches from <paramref name="source"/>, through exchange-to-exchange bindings too, each once.</summary>
    internal void Route(Exchange source, string routingKey, FieldTable? headers, List<MessageQueue> queues)
    {
        var scratch = PublishScratch.Take();
        try
        {
            Route(source, routingKey, headers, queues, scratch);
        }
        finally
        {
            PublishScratch.Return(scratch);
        }
    }

    private void Route(Exchange source, string routingKey, FieldTable? headers, List<MessageQueue> queues, PublishScratch scratch)
    {
        if (source.IsDefault)
        {
            if (_queues.TryGetValue(routingKey, out var named))
            {
                queues.Add(named);
            }
            return;
        }
        var matches = scratch.Matches;
        var visited = scratch.Visited;
        var pending = scratch.Pending;
        visited.Clear();
        visited.Add(source);
        pending.Clear();
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
        matches.Clear();
        if (queues.Count == 0 && source.AlternateExchange is { } name && FindExchangeOrNull(name) is { } alternate
            && !ReferenceEquals(alternate, source))
        {
            Route(alternate, routingKey, headers, queues, scratch);
        }
    }

    /// <summary>
    /// Stores a routed message in the queues that admit it: one record for all of them (for a transfer, the same
    /// record also settles the message where it came from), then an entry in each. All of it runs before this
    /// returns, so the queues take the message in call order and consumers see it from then on; the outcome waits
    /// until the record is durable (or written, for a transient message). <paramref name="targets"/> is not kept.
    /// </summary>
    internal ValueTask<PublishOutcome> StoreAsync(List<MessageQueue> targets, string exchange, string routingKey,
        PublishFacts facts, ReadOnlyMemory<byte> encodedProperties, ReadOnlyMemory<byte> body, Origin? origin, MessageProperties? known)
    {
        var now = Broker.Now;
        var readyAt = facts.Delay is { } delay and > 0 ? now + delay : 0;
        var header = new MessageHeader(Name, exchange, routingKey, facts.Persistent, now, readyAt, facts.ExpiresAfter, facts.Priority);
        var admitted = Admitted.Take(targets.Count);
        try
        {
            var rejected = false;
            var duplicates = 0;
            List<MessageQueue>? refusedToDeadLetters = null;
            foreach (var queue in targets)
            {
                switch (queue.Admit(body.Length, facts.MessageId, out var ticket))
                {
                    case Admission.Accepted: admitted.Add(queue, ticket); break;
                    case Admission.Rejected: rejected = true; break;
                    case Admission.RejectedToDeadLetters: rejected = true; (refusedToDeadLetters ??= []).Add(queue); break;
                    case Admission.Duplicate: duplicates++; break;
                    case Admission.Gone: break;
                }
            }
            var accepted = admitted.Queues;
            var outcome = accepted.Count > 0 ? (rejected ? PublishOutcome.Rejected : PublishOutcome.Routed)
                : rejected ? PublishOutcome.Rejected
                : duplicates > 0 ? PublishOutcome.Duplicate
                : PublishOutcome.Unroutable;
            if (refusedToDeadLetters is not null)
            {
                // Dead-lettered in the background: from a copy, since the caller may reuse its buffer once answered.
                var properties = known ?? PropertiesCodec.Decode(encodedProperties.Span);
                var copy = body.ToArray();
                foreach (var queue in refusedToDeadLetters)
                {
                    Broker.DeadLetters.SendRefused(queue, header, properties, copy);
                }
            }
            if (accepted.Count == 0)
            {
                if (origin is { } from)
                {
                    from.Queue.Finish(from.Entry, settleRecordNeeded: from.Entry.Recoverable);
                }
                return new ValueTask<PublishOutcome>(outcome);
            }
            IReadOnlyList<string> names = accepted.Count == 1 ? accepted[0].NameAlone : accepted.ConvertAll(q => q.Name);
            var record = origin is { } source
                ? RecordWriter.Transfer(source.Queue.Name, source.Entry.Position, header, names, encodedProperties.Span, body.Span)
                : RecordWriter.Message(header, names, encodedProperties.Span, body.Span);
            var durable = false;
            if (facts.Persistent)
            {
                foreach (var queue in accepted)
                {
                    durable |= queue.Durable;
                }
            }
            var stored = StoredMessage.FromRecord(record, header);
            ValueTask<LogPosition> append;
            LogPosition position;
            try
            {
                append = Broker.Journal.AppendVisible(record, stored, durable, origin?.Entry.Position.Segment, retain: accepted.Count, out position);
            }
            catch
            {
                for (var i = 0; i < accepted.Count; i++)
                {
                    accepted[i].Withdraw(admitted.Tickets[i], body.Length);
                }
                throw;
            }
            // Consumers see the message now; the publisher hears back once it is durable.
            for (var i = 0; i < accepted.Count; i++)
            {
                accepted[i].Enqueue(admitted.Tickets[i], EntryFor(accepted[i], position, header, body.Length), stored);
            }
            origin?.Queue.Finish(origin.Value.Entry, settleRecordNeeded: false);
            return DurableOutcome.When(append, Broker.Journal, position, record.Length, outcome);
        }
        finally
        {
            Admitted.Return(admitted);
        }
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

    /// <summary>Where a transferred message comes from: its queue and its entry there.</summary>
    internal readonly record struct Origin(MessageQueue Queue, QueueEntry Entry);
}
