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
        if (!m.Global)
        {
            _consumerPrefetch = m.PrefetchCount;
        }
        Output.WriteMethod(Number, new BasicQosOk());
        return ValueTask.CompletedTask;
    }

    private async ValueTask ConsumeAsync(BasicConsume m)
    {
        var queue = QueueOrLast(m.Queue);
        Require(Operation.Read, "queue", queue);
        var sink = new ConsumerSink(this, m.NoAck);
        string tag;
        if (m.NoAck)
        {
            // Registered as acknowledging, with a window of its own: the channel acks each delivery once flushed.
            _session.SetPrefetch(NoAckWindow, global: false);
            _connection.WatchFlushes(this);
            try
            {
                tag = await _session.ConsumeAsync(queue, m.ConsumerTag, noAck: false, m.Exclusive, m.Arguments, sink).ConfigureAwait(false);
            }
            finally
            {
                _session.SetPrefetch(_consumerPrefetch, global: false);
            }
        }
        else
        {
            tag = await _session.ConsumeAsync(queue, m.ConsumerTag, noAck: false, m.Exclusive, m.Arguments, sink).ConfigureAwait(false);
        }
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
        if (!settlement.Multiple && _autoAcked.ContainsKey(settlement.Tag))
        {
            // A no-ack delivery was never the client's to settle, as in RabbitMQ.
            throw Refuse(ReplyCode.PreconditionFailed, $"unknown delivery tag {settlement.Tag}");
        }
        if (settlement.Multiple)
        {
            // Settle the no-ack deliveries it reaches first, so that a nack with requeue never takes them back.
            SettleAutoAcked(long.MaxValue, settlement.Tag == 0 ? ulong.MaxValue : settlement.Tag);
        }
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
        // No-ack deliveries already written are settled first: they were never the client's to have back.
        SettleAutoAcked(long.MaxValue, ulong.MaxValue);
        _session.Recover(true);
        if (reply)
        {
            Output.WriteMethod(Number, new BasicRecoverOk());
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Called under the broker's session lock: writes the frames and returns, never calling back into the broker.</summary>
    public void WriteDelivery(in DeliveryFrame delivery, bool autoAck)
    {
        if (_ended)
        {
            // The session is closing: it takes the message back as unacknowledged.
            return;
        }
        var written = Output.WriteContent(Number, new BasicDeliver(delivery.ConsumerTag, delivery.DeliveryTag, delivery.Redelivered, delivery.Exchange, delivery.RoutingKey),
            delivery.EncodedProperties.Span, delivery.Body, _connection.FrameMax);
        if (autoAck && written != 0)
        {
            _autoAcked[delivery.DeliveryTag] = 0;
            _autoAckQueue.Enqueue((delivery.DeliveryTag, written));
        }
    }

    /// <summary>The output flushed up to <paramref name="covered"/>: the no-ack deliveries written before it are acknowledged.</summary>
    public void OnFlushed(long covered) => SettleAutoAcked(covered, ulong.MaxValue);

    private void SettleAutoAcked(long covered, ulong upToTag)
    {
        lock (_autoAckQueue)
        {
            while (_autoAckQueue.TryPeek(out var next) && next.Written <= covered && next.Tag <= upToTag)
            {
                _autoAckQueue.TryDequeue(out _);
                _autoAcked.TryRemove(next.Tag, out _);
                if (_ended)
                {
                    continue;
                }
                try
                {
                    _session.Ack(next.Tag, false);
                }
                catch (BrokerException)
                {
                    // The session closed meanwhile, which returned the message: nothing is lost.
                }
            }
        }
    }

    /// <summary>How many no-ack deliveries may be out before they are flushed to the socket.</summary>
    private const ushort NoAckWindow = 256;

    private ushort _consumerPrefetch;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, byte> _autoAcked = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<(ulong Tag, long Written)> _autoAckQueue = new();

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
