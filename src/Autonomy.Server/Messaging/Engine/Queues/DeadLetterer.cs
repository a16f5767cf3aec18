using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Dead-lettering, off the thread that decided it: each message is read back, given its x-death, routed from the
/// queue's dead-letter exchange and written as one transfer record that both settles it in its queue and publishes
/// it to its new ones. Without a dead-letter exchange (or with one that does not exist) the message is dropped.
/// Each queue's dead letters leave in the order they died, one at a time; different queues' go in parallel.
/// </summary>
internal sealed class DeadLetterer(Broker broker)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<MessageQueue, Queue<(List<QueueEntry> Entries, DeathReason Reason)>> _pending = [];
    private int _running;
    private TaskCompletionSource? _idle;

    /// <summary>Dead-letters entries that have left the queue's counts but still hold their segments.</summary>
    public void Send(MessageQueue from, List<QueueEntry> entries, DeathReason reason)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(from, out var waiting))
            {
                waiting.Enqueue((entries, reason));
                return;
            }
            _pending[from] = new Queue<(List<QueueEntry>, DeathReason)>([(entries, reason)]);
        }
        Enter();
        _ = Task.Run(() => DrainAsync(from));
    }

    /// <summary>Works through one queue's dead letters until none are left.</summary>
    private async Task DrainAsync(MessageQueue from)
    {
        try
        {
            while (true)
            {
                (List<QueueEntry> Entries, DeathReason Reason) job;
                lock (_gate)
                {
                    var waiting = _pending[from];
                    if (!waiting.TryDequeue(out job))
                    {
                        _pending.Remove(from);
                        return;
                    }
                }
                foreach (var entry in job.Entries)
                {
                    await DeadLetterAsync(from, entry, job.Reason).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>A publish a full queue refused with x-overflow reject-publish-dlx: it goes straight to the dead letters.</summary>
    public void SendRefused(MessageQueue from, MessageHeader header, MessageProperties properties, ReadOnlyMemory<byte> body)
    {
        Enter();
        _ = Task.Run(async () =>
        {
            try
            {
                Interlocked.Increment(ref broker.Counters.DeadLettered);
                await RepublishAsync(from, header.Exchange, header.RoutingKey, properties, body, DeathReason.MaxLength, null).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                broker.NoteFailure(error);
            }
            finally
            {
                Leave();
            }
        });
    }

    /// <summary>Completes when no dead-lettering is under way.</summary>
    public Task IdleAsync()
    {
        lock (_gate)
        {
            if (_running == 0)
            {
                return Task.CompletedTask;
            }
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    private async Task DeadLetterAsync(MessageQueue from, QueueEntry entry, DeathReason reason)
    {
        Interlocked.Increment(ref broker.Counters.DeadLettered);
        try
        {
            if (from.Policy.DeadLetterExchange is null || from.IsDeleted)
            {
                from.Finish(entry, settleRecordNeeded: entry.Recoverable);
                return;
            }
            var message = broker.Journal.Load(entry.Position);
            await RepublishAsync(from, message.Header.Exchange, message.Header.RoutingKey, message.DecodeProperties(), message.Body, reason,
                new VirtualHost.Origin(from, entry)).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            // The log failed under us: the message stays unsettled in the log, so recovery brings it back.
            broker.NoteFailure(error);
            from.Finish(entry, settleRecordNeeded: false);
        }
    }

    private async Task RepublishAsync(MessageQueue from, string exchange, string routingKey, MessageProperties properties,
        ReadOnlyMemory<byte> body, DeathReason reason, VirtualHost.Origin? origin)
    {
        var vhost = from.Vhost;
        var dlx = from.Policy.DeadLetterExchange is { } name ? vhost.FindExchangeOrNull(name) : null;
        var targets = new List<MessageQueue>();
        var newProperties = DeathHeaders.Record(properties, from.Name, reason, exchange, routingKey, broker.Time.GetUtcNow());
        var newKey = from.Policy.DeadLetterRoutingKey ?? routingKey;
        if (dlx is not null)
        {
            vhost.Route(dlx, newKey, newProperties.Headers, targets);
            targets.RemoveAll(target => DeathHeaders.IsCycle(newProperties.Headers, target.Name));
        }
        var encoded = PropertiesCodec.Encode(newProperties);
        await vhost.StoreAsync(targets, dlx?.Name ?? "", newKey, PublishFacts.Read(encoded, newProperties.Headers), encoded, body, origin,
            newProperties).ConfigureAwait(false);
    }

    private void Enter()
    {
        lock (_gate)
        {
            _running++;
        }
    }

    private void Leave()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_running == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }
        idle?.TrySetResult();
    }
}
