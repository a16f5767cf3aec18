using System.Buffers;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// One frame as it arrived. The payload is a slice of the connection's input buffer, not a copy: it is valid only
/// until the reader advances past it.
/// </summary>
internal readonly record struct Frame(FrameType Type, ushort Channel, ReadOnlySequence<byte> Payload);
