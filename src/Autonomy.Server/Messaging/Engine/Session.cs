using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// An AMQP channel's worth of state: delivery tags from 1, the unacknowledged deliveries, prefetch limits and
/// consumers. Disposing it cancels its consumers and returns every unacknowledged message to its queue
/// (redelivered). Acknowledging a tag it does not hold is PRECONDITION_FAILED ("unknown delivery tag 7").
/// </summary>
public sealed class Session : IAsyncDisposable
{
    private Session()
    {
    }

    /// <summary>basic.qos: global=false limits each consumer started afterwards; global=true all of the session's together. 0 = no limit.</summary>
    public void SetPrefetch(ushort count, bool global) => throw new NotSupportedException();

    /// <summary>Starts a consumer; an empty tag asks the broker for one. Returns the tag.</summary>
    public Task<string> ConsumeAsync(string queue, string consumerTag, bool noAck, bool exclusive, FieldTable? arguments, IDeliverySink sink) =>
        throw new NotSupportedException();

    public Task CancelAsync(string consumerTag) => throw new NotSupportedException();

    /// <summary>basic.get: the next ready message, or null when there is none.</summary>
    public ValueTask<Delivery?> GetAsync(string queue, bool noAck) => throw new NotSupportedException();

    /// <summary>Up to <paramref name="max"/> messages, waiting up to <paramref name="wait"/> for the first one (a long poll).</summary>
    public ValueTask<IReadOnlyList<Delivery>> ReceiveAsync(string queue, int max, TimeSpan wait, CancellationToken ct) =>
        throw new NotSupportedException();

    public void Ack(ulong deliveryTag, bool multiple) => throw new NotSupportedException();

    /// <summary>Rejects deliveries; requeued ones come back after <paramref name="delay"/> when one is given.</summary>
    public void Nack(ulong deliveryTag, bool multiple, bool requeue, TimeSpan? delay = null) => throw new NotSupportedException();

    public void Reject(ulong deliveryTag, bool requeue) => throw new NotSupportedException();

    /// <summary>basic.recover: every unacknowledged message goes back to its queue (requeue=false is not supported, as in RabbitMQ).</summary>
    public void Recover(bool requeue) => throw new NotSupportedException();

    public ValueTask DisposeAsync() => throw new NotSupportedException();
}
