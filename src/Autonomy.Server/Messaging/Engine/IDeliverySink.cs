using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Where a consumer's deliveries go. Both calls come from the broker's own threads and must not block: the AMQP
/// layer queues a frame, the HTTP layer a message to a waiting request.
/// </summary>
public interface IDeliverySink
{
    void Deliver(Delivery delivery);

    /// <summary>
    /// Whether the sink acknowledges each delivery itself once it is out (a no-ack consumer behind the AMQP listener,
    /// which acks after the socket took the frames): basic.recover leaves such deliveries alone, since a no-ack
    /// message is never delivered twice.
    /// </summary>
    bool AcksItself => false;

    /// <summary>The broker ended the consumer (its queue was deleted): basic.cancel from the server.</summary>
    void Cancelled(string consumerTag);
}

/// <summary>
/// A sink that writes a delivery out before the call returns (the AMQP listener, into its frames): the broker hands
/// it the delivery as a struct instead of a <see cref="Delivery"/> object. <see cref="IDeliverySink.Deliver"/> still
/// serves the rest (basic.get, taps).
/// </summary>
public interface IFrameDeliverySink : IDeliverySink
{
    void Deliver(in DeliveryFrame delivery);
}
