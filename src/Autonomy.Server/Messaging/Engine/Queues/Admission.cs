namespace Autonomy.Server.Messaging.Engine;

/// <summary>A queue's answer to a message about to be published to it.</summary>
internal enum Admission
{
    /// <summary>Room is reserved for it; <see cref="MessageQueue.Enqueue"/> or <see cref="MessageQueue.Withdraw"/> must follow.</summary>
    Accepted,

    /// <summary>Full, with x-overflow reject-publish.</summary>
    Rejected,

    /// <summary>Full, with x-overflow reject-publish-dlx: refused and dead-lettered.</summary>
    RejectedToDeadLetters,

    /// <summary>Its message id was seen within the de-duplication window.</summary>
    Duplicate,

    /// <summary>The queue was deleted meanwhile.</summary>
    Gone,
}
