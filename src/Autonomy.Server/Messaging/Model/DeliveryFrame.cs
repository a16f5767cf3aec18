namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// What basic.deliver carries, as plain fields over the stored record's bytes: handed to a sink that copies it out at
/// once (<see cref="Engine.IFrameDeliverySink"/>), so that delivering a message creates no object.
/// </summary>
public readonly record struct DeliveryFrame(ulong DeliveryTag, string ConsumerTag, bool Redelivered, string Exchange,
    string RoutingKey, ReadOnlyMemory<byte> EncodedProperties, ReadOnlyMemory<byte> Body);
