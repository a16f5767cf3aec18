using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

public sealed partial class VirtualHost
{
    /// <summary>
    /// Sends up to <paramref name="max"/> messages of a dead-letter queue back to the exchange and routing keys of
    /// their first death, each settled in the same log record as its republish. Stops early at a message that has no
    /// x-death or that would reach no queue (it stays where it is). Returns how many moved.
    /// </summary>
    public async Task<long> MoveDeadLettersAsync(string deadLetterQueue, long max)
    {
        var source = FindQueue(deadLetterQueue);
        var moved = 0L;
        while (moved < max && source.TryTake(out var entry, out _))
        {
            StoredMessage message;
            try
            {
                message = Broker.Journal.Load(entry.Position);
            }
            catch
            {
                source.Unpick(entry);
                throw;
            }
            var properties = message.DecodeProperties();
            var origin = DeathHeaders.FirstDeath(properties.Headers);
            var exchange = origin is { } o ? FindExchangeOrNull(o.Exchange) : null;
            var targets = new List<MessageQueue>();
            if (exchange is not null)
            {
                foreach (var key in origin!.Value.RoutingKeys)
                {
                    Route(exchange, key, properties.Headers, targets);
                }
            }
            if (targets.Count == 0)
            {
                source.Unpick(entry);
                break;
            }
            source.ReleaseUnacked([entry]);
            try
            {
                await StoreAsync(targets, exchange!.Name, origin!.Value.RoutingKeys[0],
                    PublishFacts.Read(message.EncodedProperties.Span, properties.Headers), message.EncodedProperties,
                    message.Body, new Origin(source, entry), properties).ConfigureAwait(false);
            }
            catch
            {
                source.Finish(entry, settleRecordNeeded: false);
                throw;
            }
            moved++;
        }
        return moved;
    }

    /// <summary>
    /// Queues that receive dead letters: those bound to (or, for the default exchange, named by) some queue's
    /// x-dead-letter-exchange and x-dead-letter-routing-key.
    /// </summary>
    public IReadOnlyList<QueueInfo> DeadLetterQueues
    {
        get
        {
            var found = new List<MessageQueue>();
            foreach (var queue in _queues.Values)
            {
                if (queue.Policy.DeadLetterExchange is not { } name || FindExchangeOrNull(name) is not { } exchange)
                {
                    continue;
                }
                if (exchange.IsDefault)
                {
                    if (queue.Policy.DeadLetterRoutingKey is { } key && _queues.TryGetValue(key, out var named) && !found.Contains(named))
                    {
                        found.Add(named);
                    }
                    continue;
                }
                Broker.Topology.Wait();
                try
                {
                    CollectBound(exchange, found, []);
                }
                finally
                {
                    Broker.Topology.Release();
                }
            }
            return [.. found.OrderBy(q => q.Name, StringComparer.Ordinal).Select(q => q.Info)];
        }
    }

    private static void CollectBound(Exchange exchange, List<MessageQueue> found, HashSet<Exchange> visited)
    {
        if (!visited.Add(exchange))
        {
            return;
        }
        foreach (var binding in exchange.Bindings)
        {
            if (binding.Queue is { } queue && !found.Contains(queue))
            {
                found.Add(queue);
            }
            else if (binding.Exchange is { } next)
            {
                CollectBound(next, found, visited);
            }
        }
    }
}
