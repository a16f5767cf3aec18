namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// A message handed to a consumer or to basic.get. DeliveryCount is how many earlier deliveries of it were
/// returned to the queue (RabbitMQ's x-delivery-count); MessageCount is how many ready messages the queue still
/// holds (basic.get-ok's message-count).
/// </summary>
public sealed record Delivery(ulong DeliveryTag, string? ConsumerTag, bool Redelivered, string Exchange, string RoutingKey,
    MessageProperties Properties, ReadOnlyMemory<byte> Body, long DeliveryCount, string Queue, long MessageCount)
{
    /// <summary>The properties as <see cref="PropertiesCodec"/> encodes them: what a content header carries, ready to copy.</summary>
    public ReadOnlyMemory<byte> EncodedProperties { get; init; }
}
