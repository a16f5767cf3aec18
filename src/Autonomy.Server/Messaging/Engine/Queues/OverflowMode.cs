namespace Autonomy.Server.Messaging.Engine;

/// <summary>What a queue at its x-max-length or x-max-length-bytes does with one more message.</summary>
internal enum OverflowMode
{
    /// <summary>Dead-letters (reason maxlen) the oldest ready messages to make room.</summary>
    DropHead,

    /// <summary>Refuses the new message: the publisher's confirm is a nack.</summary>
    RejectPublish,

    /// <summary>Refuses it and dead-letters it.</summary>
    RejectPublishDlx,
}
