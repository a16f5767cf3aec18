namespace Autonomy.Server.Messaging.Amqp;

/// <summary>Where a connection is in its life, from the protocol header to the socket's close.</summary>
internal enum ConnectionState
{
    AwaitingHeader,
    Starting,
    Tuning,
    Opening,
    Open,

    /// <summary>The server sent connection.close and waits for close-ok; every other frame is discarded.</summary>
    Closing,

    /// <summary>The input can no longer be cut into frames (a framing error): octets are discarded until the peer hangs up.</summary>
    Desynchronised,
    Closed,
}
