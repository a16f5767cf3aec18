namespace Autonomy.Client.Messaging;

/// <summary>What the broker did with a published message (a full queue that refuses it is a <see cref="MessageQueueException"/> instead).</summary>
public enum PublishOutcome
{
    /// <summary>At least one queue holds it, durably.</summary>
    Routed,

    /// <summary>No queue is bound to take it: it is gone.</summary>
    Unroutable,

    /// <summary>Every queue it goes to had seen its message id within its de-duplication window.</summary>
    Duplicate,
}
