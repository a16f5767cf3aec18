namespace Autonomy.Server.Messaging.Model;

/// <summary>What became of a published message.</summary>
public enum PublishOutcome
{
    /// <summary>At least one queue holds it.</summary>
    Routed,

    /// <summary>No queue was bound to take it (a mandatory publish gets basic.return).</summary>
    Unroutable,

    /// <summary>A queue full with x-overflow reject-publish or reject-publish-dlx refused it (a confirm is a nack).</summary>
    Rejected,

    /// <summary>Every queue it went to had seen its message id within its de-duplication window.</summary>
    Duplicate,
}
