namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// The limits the AMQP listener offers and enforces. The defaults are RabbitMQ's (frame_max 131072, channel_max 2047,
/// heartbeat 60 s, handshake_timeout 10 s, max_message_size 128 MiB), so that clients written for it behave the same.
/// </summary>
public sealed record AmqpOptions
{
    /// <summary>The largest frame, overhead included, proposed in connection.tune.</summary>
    public uint FrameMax { get; init; } = 131072;

    /// <summary>The highest channel number a connection may open.</summary>
    public ushort ChannelMax { get; init; } = 2047;

    /// <summary>The heartbeat proposed in connection.tune, in seconds (0: none).</summary>
    public ushort Heartbeat { get; init; } = 60;

    /// <summary>How long a client may take from its first octet to connection.open-ok.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the server waits for connection.close-ok after closing a connection, and for the peer to hang up
    /// after a framing error. Null: the negotiated heartbeat, at most 30 s, as RabbitMQ does.
    /// </summary>
    public TimeSpan? CloseTimeout { get; init; }

    /// <summary>The largest message body accepted; a larger one closes its channel with PRECONDITION_FAILED.</summary>
    public long MaxMessageSize { get; init; } = 128L << 20;

    /// <summary>Publishes issued and not yet settled per connection above which the connection stops reading.</summary>
    public int MaxPublishesInFlight { get; init; } = 4096;

    /// <summary>Bytes of publishes issued and not yet settled per connection above which the connection stops reading.</summary>
    public long MaxPublishBytesInFlight { get; init; } = 64L << 20;

    /// <summary>Bytes a transaction may buffer before its commit.</summary>
    public long MaxTransactionBytes { get; init; } = 64L << 20;

    /// <summary>The clock of heartbeats and timeouts (tests drive it by hand).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
