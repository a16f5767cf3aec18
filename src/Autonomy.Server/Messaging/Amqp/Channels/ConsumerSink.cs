using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// Where the broker hands a consumer's messages: straight into the connection's output as basic.deliver frames. It
/// starts closed, holding what arrives, because basic.consume-ok must reach the client before the first delivery.
/// For a no-ack consumer (<paramref name="autoAck"/>), the channel acknowledges each delivery itself once it is with
/// the socket, so that the broker never sends such a consumer more than its window ahead of a slow reader.
/// </summary>
internal sealed class ConsumerSink(AmqpChannel channel, bool autoAck) : IFrameDeliverySink
{
    private readonly Lock _gate = new();
    private List<DeliveryFrame>? _held = [];

    public void Deliver(in DeliveryFrame delivery)
    {
        lock (_gate)
        {
            if (_held is not null)
            {
                _held.Add(delivery);
                return;
            }
            channel.WriteDelivery(delivery, autoAck);
        }
    }

    public void Deliver(Delivery delivery) => Deliver(new DeliveryFrame(delivery.DeliveryTag, delivery.ConsumerTag ?? "",
        delivery.Redelivered, delivery.Exchange, delivery.RoutingKey, delivery.EncodedProperties, delivery.Body));

    public bool AcksItself => autoAck;

    public void Cancelled(string consumerTag) => channel.CancelledByBroker(consumerTag);

    /// <summary>consume-ok is out: what arrived meanwhile follows it, in order.</summary>
    public void Open()
    {
        lock (_gate)
        {
            foreach (var delivery in _held ?? [])
            {
                channel.WriteDelivery(delivery, autoAck);
            }
            _held = null;
        }
    }
}
