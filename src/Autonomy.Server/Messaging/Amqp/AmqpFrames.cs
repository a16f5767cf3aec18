namespace Autonomy.Server.Messaging.Amqp;

/// <summary>The framing constants of AMQP 0-9-1.</summary>
internal static class AmqpFrames
{
    /// <summary>Type, channel and size in front of a payload.</summary>
    public const int HeaderSize = 7;

    public const byte FrameEnd = 0xCE;

    /// <summary>What a frame adds to its payload: the header and the end octet.</summary>
    public const int Overhead = HeaderSize + 1;

    /// <summary>The smallest frame-max a peer may ask for, and the one in force before tune.</summary>
    public const uint MinFrameMax = 4096;
}
