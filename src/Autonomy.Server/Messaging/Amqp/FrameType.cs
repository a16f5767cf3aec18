namespace Autonomy.Server.Messaging.Amqp;

/// <summary>The frame types of AMQP 0-9-1, by the octet that starts each frame.</summary>
internal enum FrameType : byte
{
    Method = 1,
    Header = 2,
    Body = 3,
    Heartbeat = 8,
}
