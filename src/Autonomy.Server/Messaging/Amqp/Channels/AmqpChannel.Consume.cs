using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

internal sealed partial class AmqpChannel
{
    private ValueTask Qos(BasicQos m)
    {
        if (m.PrefetchSize != 0)
        {
            throw Hard(ReplyCode.NotImplemented, $"prefetch_size!=0 ({m.PrefetchSize})");
        }
        _session.SetPrefetch(m.PrefetchCount, m.Global);
        Output.WriteMethod(Number, new BasicQosOk());
        return ValueTask.CompletedTask;
    }

    private async ValueTask ConsumeAsync(BasicConsume m)
    {
        var queue = QueueOrLast(m.Queue);
        Require(Operation.Read, "queue", queue);
        var sink = new ConsumerSink(this);
        var tag = await _session.ConsumeAsync(queue, m.ConsumerTag, m.NoAck, m.Exclusive, m.Arguments, sink).ConfigureAwait(false);
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new BasicConsumeOk(tag));
        }
        sink.Open();
    }

    private async ValueTask CancelAsync(BasicCancel m)
    {
        // After this returns the broker delivers nothing more to the tag, so cancel-ok is the last word about it.
        await _session.CancelAsync(m.ConsumerTag).ConfigureAwait(false);
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new BasicCancelOk(m.ConsumerTag));
        }
    }

    private async ValueTask GetAsync(BasicGet m)
    {
        var queue = QueueOrLast(m.Queue);
        Require(Operation.Read, "queue", queue);
        var delivery = await _session.GetAsync(queue, m.NoAck).ConfigureAwait(false);
        if (delivery is null)
        {
            Output.WriteMethod(Number, new BasicGetEmpty());
            return;
        }
        Output.WriteContent(Number, new BasicGetOk(delivery.DeliveryTag, delivery.Redelivered, delivery.Exchange, delivery.RoutingKey, Count(delivery.MessageCount)),
            delivery.EncodedProperties.Span, delivery.Body, _connection.FrameMax);
    }

    private ValueTask Settle(Settlement settlement)
    {
        if (_transaction is { } transaction)
        {
            BufferSettlement(transaction, settlement);
            return ValueTask.CompletedTask;
        }
        Apply(settlement);
        return ValueTask.CompletedTask;
    }

    private void Apply(Settlement settlement)
    {
        switch (settlement.Kind)
        {
            case SettlementKind.Ack:
                _session.Ack(settlement.Tag, settlement.Multiple);
                break;
            case SettlementKind.Nack:
                _session.Nack(settlement.Tag, settlement.Multiple, settlement.Requeue);
                break;
            default:
                _session.Reject(settlement.Tag, settlement.Requeue);
                break;
        }
    }

    private ValueTask Recover(bool requeue, bool reply)
    {
        if (!requeue)
        {
            throw Hard(ReplyCode.NotImplemented, "requeue=false");
        }
        _session.Recover(true);
        if (reply)
        {
            Output.WriteMethod(Number, new BasicRecoverOk());
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Called under the broker's session lock: writes the frames and returns, never calling back into the broker.</summary>
    public void WriteDelivery(Delivery delivery)
    {
        if (_ended)
        {
            // The session is closing: it takes the message back as unacknowledged.
            return;
        }
        Output.WriteContent(Number, new BasicDeliver(delivery.ConsumerTag ?? "", delivery.DeliveryTag, delivery.Redelivered, delivery.Exchange, delivery.RoutingKey),
            delivery.EncodedProperties.Span, delivery.Body, _connection.FrameMax);
    }

    /// <summary>The consumer's queue was deleted: a client that asked to hear of it gets basic.cancel.</summary>
    public void CancelledByBroker(string consumerTag)
    {
        if (!_ended && _connection.Capabilities.ConsumerCancelNotify)
        {
            Output.WriteMethod(Number, new BasicCancel(consumerTag, true));
        }
    }

    private enum SettlementKind
    {
        Ack,
        Nack,
        Reject,
    }

    private readonly record struct Settlement(SettlementKind Kind, ulong Tag, bool Multiple, bool Requeue);
}
