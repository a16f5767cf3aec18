using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// Where a consumer's deliveries go. Both calls come from the broker's own threads and must not block: the AMQP
/// layer queues a frame, the HTTP layer a message to a waiting request.
/// </summary>
public interface IDeliverySink
{
    void Deliver(Delivery delivery);

    /// <summary>The broker ended the consumer (its queue was deleted): basic.cancel from the server.</summary>
    void Cancelled(string consumerTag);
}
