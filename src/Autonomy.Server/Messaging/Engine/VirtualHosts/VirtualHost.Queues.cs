using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

public sealed partial class VirtualHost
{
    /// <summary>Declares a queue; the answer carries its name (generated when the declaration's is empty) and counts.</summary>
    public async Task<QueueInfo> DeclareQueueAsync(QueueDeclaration d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var generated = d.Name.Length == 0;
        if (generated && d.Passive)
        {
            throw BrokerErrors.NoQueue("", Name);
        }
        var name = generated ? Names.GeneratedQueue() : d.Name;
        Names.Check(name, "queue");
        await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
        if (_queues.TryGetValue(name, out var existing))
        {
            existing.CheckAccess(d.Owner);
            if (!d.Passive)
            {
                CheckEquivalent(existing, d);
            }
            existing.Touch();
            return existing.Info;
        }
        if (d.Passive)
        {
            throw BrokerErrors.NoQueue(name, Name);
        }
        if (!generated && name.StartsWith("amq.", StringComparison.Ordinal))
        {
            throw BrokerErrors.ReservedName("queue", name, Name);
        }
        if (d.Exclusive && d.Owner is null)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, $"exclusive queue '{name}' in vhost '{Name}' needs an owner (the connection declaring it)");
        }
        var arguments = d.Arguments?.Clone() ?? new FieldTable();
        var policy = QueuePolicy.Parse(arguments, name, Name);
        policy.CheckQueueType(d.Durable, d.Exclusive, d.AutoDelete, name, Name);
        var queue = new MessageQueue(this, name, d.Durable, d.Exclusive, d.AutoDelete, arguments, policy, d.Exclusive ? d.Owner : null);
        _queues[name] = queue;
        if (IsPersisted(queue))
        {
            topology.DefinitionsChanged();
        }
        queue.Start();
        return queue.Info;
    }

    /// <summary>queue.purge: removes the ready messages; returns how many.</summary>
    public Task<long> PurgeQueueAsync(string name, object? owner = null)
    {
        var queue = FindQueue(name);
        queue.CheckAccess(owner);
        return Task.FromResult(queue.Purge());
    }

    /// <summary>Deletes a queue; returns how many messages it held. A missing queue is no error (as in RabbitMQ).</summary>
    public async Task<long> DeleteQueueAsync(string name, bool ifUnused = false, bool ifEmpty = false, object? owner = null)
    {
        Names.Check(name, "queue");
        await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
        if (!_queues.TryGetValue(name, out var queue))
        {
            return 0;
        }
        queue.CheckAccess(owner);
        var info = queue.Info;
        if (ifUnused && info.Consumers > 0)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, $"queue '{name}' in vhost '{Name}' in use");
        }
        if (ifEmpty && info.Messages > 0)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, $"queue '{name}' in vhost '{Name}' is not empty");
        }
        return RemoveQueue(queue, topology);
    }

    /// <summary>An auto-delete queue lost its last consumer.</summary>
    internal async Task DeleteAutoDeletedAsync(MessageQueue queue)
    {
        await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
        if (_queues.TryGetValue(queue.Name, out var current) && ReferenceEquals(current, queue) && queue.ConsumerCount == 0)
        {
            RemoveQueue(queue, topology);
        }
    }

    /// <summary>A queue expired (x-expires): deleted off the timer's thread.</summary>
    internal void DeleteInBackground(MessageQueue queue) => _ = Task.Run(async () =>
    {
        try
        {
            await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
            if (_queues.TryGetValue(queue.Name, out var current) && ReferenceEquals(current, queue))
            {
                RemoveQueue(queue, topology);
            }
        }
        catch (Exception error) when (error is ObjectDisposedException or BrokerException)
        {
            // The broker is closing; recovery will find the queue and expire it again.
        }
    });

    /// <summary>A connection closed: its exclusive queues go.</summary>
    internal void RemoveOwnedQueues(object owner, Broker.TopologyScope topology)
    {
        foreach (var queue in _queues.Values.Where(q => q.Exclusive && ReferenceEquals(q.Owner, owner)).ToList())
        {
            RemoveQueue(queue, topology);
        }
    }

    /// <summary>Recovery: a durable queue from the definitions file.</summary>
    internal MessageQueue RestoreQueue(QueueDefinition definition)
    {
        var policy = QueuePolicy.Parse(definition.Arguments, definition.Name, Name);
        var queue = new MessageQueue(this, definition.Name, durable: true, exclusive: false, definition.AutoDelete, definition.Arguments, policy, null);
        _queues[definition.Name] = queue;
        return queue;
    }

    /// <summary>Durable queues that no connection owns are kept in the definitions file.</summary>
    internal static bool IsPersisted(MessageQueue queue) => queue.Durable && !queue.Exclusive;

    internal long RemoveQueue(MessageQueue queue, Broker.TopologyScope topology)
    {
        _queues.TryRemove(queue.Name, out _);
        foreach (var exchange in _exchanges.Values.ToList())
        {
            RemoveBindingsWhere(exchange, b => ReferenceEquals(b.Queue, queue), topology);
        }
        var (messages, consumers) = queue.Delete();
        foreach (var consumer in consumers)
        {
            consumer.Session.OnQueueDeleted(consumer);
        }
        if (IsPersisted(queue))
        {
            topology.DefinitionsChanged();
        }
        return messages;
    }

    private void CheckEquivalent(MessageQueue existing, QueueDeclaration d)
    {
        if (existing.Durable != d.Durable)
        {
            throw BrokerErrors.Inequivalent("queue", "durable", d.Name, Name, d.Durable, existing.Durable);
        }
        if (existing.Exclusive != d.Exclusive)
        {
            throw BrokerErrors.Locked(d.Name, Name);
        }
        if (existing.AutoDelete != d.AutoDelete)
        {
            throw BrokerErrors.Inequivalent("queue", "auto_delete", d.Name, Name, d.AutoDelete, existing.AutoDelete);
        }
        foreach (var argument in QueuePolicy.Compared)
        {
            var received = d.Arguments?[argument];
            var current = existing.Arguments[argument];
            if (argument == QueueArguments.QueueType)
            {
                // An absent type is classic, as RabbitMQ's default queue type is.
                received ??= QueuePolicy.ClassicType;
                current ??= QueuePolicy.ClassicType;
            }
            if (!FieldValues.AreEquivalent(received, current))
            {
                throw BrokerErrors.Inequivalent("queue", argument, d.Name, Name, received, current);
            }
        }
    }
}
