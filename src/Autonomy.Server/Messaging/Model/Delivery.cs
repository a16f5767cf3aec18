namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// A message handed to a consumer or to basic.get. DeliveryCount is how many earlier deliveries of it were
/// returned to the queue (RabbitMQ's x-delivery-count); MessageCount is how many ready messages the queue still
/// holds (basic.get-ok's message-count).
/// </summary>
public sealed record Delivery(ulong DeliveryTag, string? ConsumerTag, bool Redelivered, string Exchange, string RoutingKey,
    ReadOnlyMemory<byte> Body, long DeliveryCount, string Queue, long MessageCount)
{
    private MessageProperties? _properties;

    /// <summary>
    /// The properties, decoded from <see cref="EncodedProperties"/> the first time they are read: a consumer that
    /// passes them on as they came (the AMQP listener) never pays for decoding them.
    /// </summary>
    public MessageProperties Properties
    {
        get => _properties ??= PropertiesCodec.Decode(EncodedProperties.Span);
        init => _properties = value;
    }

    /// <summary>The properties as <see cref="PropertiesCodec"/> encodes them: what a content header carries, ready to copy.</summary>
    public ReadOnlyMemory<byte> EncodedProperties { get; init; }
}
