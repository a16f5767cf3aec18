namespace Autonomy.Server.Messaging.Engine;

/// <summary>The first byte of every record the broker writes to its log.</summary>
internal enum RecordKind : byte
{
    /// <summary>A published message: its properties and body, once, with every queue it went to.</summary>
    Message = 1,

    /// <summary>Messages of one queue in one segment are gone (acked, dropped, purged).</summary>
    Settle = 2,

    /// <summary>A delivery came back: the message's return count and when it is ready again.</summary>
    Return = 3,

    /// <summary>A message leaves one queue and is republished (dead-lettered or moved), atomically.</summary>
    Transfer = 4,

    /// <summary>A queue was deleted: all its messages in one segment are gone.</summary>
    QueueDelete = 5,

    /// <summary>The broker stopped cleanly: nothing was out with a consumer that has no return record.</summary>
    CleanStop = 6,
}
