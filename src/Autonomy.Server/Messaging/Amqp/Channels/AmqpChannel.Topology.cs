using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

internal sealed partial class AmqpChannel
{
    private async ValueTask DeclareExchangeAsync(ExchangeDeclare m)
    {
        if (m.Passive)
        {
            _vhost.GetExchange(m.Exchange);
        }
        else
        {
            if (!ExchangeKinds.TryParse(m.Type, out var kind))
            {
                throw Hard(ReplyCode.CommandInvalid, $"unknown exchange type '{m.Type}'");
            }
            Require(Operation.Configure, "exchange", m.Exchange);
            await _vhost.DeclareExchangeAsync(new ExchangeDeclaration(m.Exchange, kind, m.Durable, m.AutoDelete, m.Internal, m.Arguments)).ConfigureAwait(false);
        }
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new ExchangeDeclareOk());
        }
    }

    private async ValueTask DeleteExchangeAsync(ExchangeDelete m)
    {
        // RabbitMQ refuses every amq.* name here, existing or not, before it looks at permissions.
        if (m.Exchange.StartsWith("amq.", StringComparison.Ordinal))
        {
            throw Refuse(ReplyCode.AccessRefused, $"deletion of system exchange '{m.Exchange}' in vhost '{_vhost.Name}' not allowed");
        }
        Require(Operation.Configure, "exchange", m.Exchange);
        await _vhost.DeleteExchangeAsync(m.Exchange, m.IfUnused).ConfigureAwait(false);
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new ExchangeDeleteOk());
        }
    }

    private async ValueTask BindExchangeAsync(ExchangeBind m)
    {
        Require(Operation.Write, "exchange", m.Destination);
        Require(Operation.Read, "exchange", m.Source);
        await _vhost.BindExchangeAsync(m.Destination, m.Source, m.RoutingKey, m.Arguments).ConfigureAwait(false);
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new ExchangeBindOk());
        }
    }

    private async ValueTask UnbindExchangeAsync(ExchangeUnbind m)
    {
        Require(Operation.Write, "exchange", m.Destination);
        Require(Operation.Read, "exchange", m.Source);
        await _vhost.UnbindExchangeAsync(m.Destination, m.Source, m.RoutingKey, m.Arguments).ConfigureAwait(false);
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new ExchangeUnbindOk());
        }
    }

    private async ValueTask DeclareQueueAsync(QueueDeclare m)
    {
        if (!m.Passive)
        {
            // A server-named queue is checked as RabbitMQ checks it: by a name of the form it will get.
            Require(Operation.Configure, "queue", m.Queue.Length == 0 ? Names.GeneratedQueue() : m.Queue);
            if (m.Arguments?[QueueArguments.DeadLetterExchange] is string deadLetters)
            {
                Require(Operation.Write, "exchange", deadLetters);
            }
        }
        var info = await _vhost.DeclareQueueAsync(new QueueDeclaration(m.Queue, m.Durable, m.Exclusive, m.AutoDelete, m.Arguments, m.Passive, _connection))
            .ConfigureAwait(false);
        _lastQueue = info.Name;
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new QueueDeclareOk(info.Name, Count(info.Ready), (uint)info.Consumers));
        }
    }

    private async ValueTask BindQueueAsync(QueueBind m)
    {
        var queue = QueueOrLast(m.Queue);
        var routingKey = m.Queue.Length == 0 && m.RoutingKey.Length == 0 ? queue : m.RoutingKey;
        Require(Operation.Write, "queue", queue);
        Require(Operation.Read, "exchange", m.Exchange);
        await _vhost.BindQueueAsync(queue, m.Exchange, routingKey, m.Arguments, _connection).ConfigureAwait(false);
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new QueueBindOk());
        }
    }

    private async ValueTask UnbindQueueAsync(QueueUnbind m)
    {
        var queue = QueueOrLast(m.Queue);
        var routingKey = m.Queue.Length == 0 && m.RoutingKey.Length == 0 ? queue : m.RoutingKey;
        Require(Operation.Write, "queue", queue);
        Require(Operation.Read, "exchange", m.Exchange);
        await _vhost.UnbindQueueAsync(queue, m.Exchange, routingKey, m.Arguments, _connection).ConfigureAwait(false);
        Output.WriteMethod(Number, new QueueUnbindOk());
    }

    private async ValueTask PurgeQueueAsync(QueuePurge m)
    {
        var queue = QueueOrLast(m.Queue);
        Require(Operation.Read, "queue", queue);
        var purged = await _vhost.PurgeQueueAsync(queue, _connection).ConfigureAwait(false);
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new QueuePurgeOk(Count(purged)));
        }
    }

    private async ValueTask DeleteQueueAsync(QueueDelete m)
    {
        var queue = QueueOrLast(m.Queue);
        Require(Operation.Configure, "queue", queue);
        var deleted = await _vhost.DeleteQueueAsync(queue, m.IfUnused, m.IfEmpty, _connection).ConfigureAwait(false);
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new QueueDeleteOk(Count(deleted)));
        }
    }

    /// <summary>RabbitMQ's shortcut: an empty queue name means the queue last declared on this channel.</summary>
    private string QueueOrLast(string queue) => queue.Length > 0 ? queue
        : _lastQueue ?? throw Refuse(ReplyCode.NotFound, "no previously declared queue");

    /// <summary>
    /// RabbitMQ's permission model: configure to declare or delete, write to put messages in, read to take them out.
    /// The default exchange is checked under its RabbitMQ name, amq.default.
    /// </summary>
    private void Require(Operation operation, string kind, string name)
    {
        var resource = kind == "exchange" && name.Length == 0 ? "amq.default" : name;
        if (!Permissions.Check(_connection.UserName, _vhost.Name, operation, resource))
        {
            throw Refuse(ReplyCode.AccessRefused, $"access to {kind} '{resource}' in vhost '{_vhost.Name}' refused for user '{_connection.UserName}'");
        }
    }

    private static uint Count(long count) => (uint)Math.Clamp(count, 0, uint.MaxValue);
}
