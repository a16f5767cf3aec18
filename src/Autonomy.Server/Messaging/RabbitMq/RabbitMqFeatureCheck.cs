using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.RabbitMq;

/// <summary>What a queue needs of RabbitMQ: the queue type it must be declared as, or why RabbitMQ cannot have it.</summary>
/// <param name="QueueType"><c>quorum</c> or <c>classic</c> when a feature needs that type; null when either does.</param>
/// <param name="Refusal">Why the queue cannot be declared on RabbitMQ, naming the feature and the backend; null when it can.</param>
public sealed record RabbitMqQueueFit(string? QueueType, string? Refusal);

/// <summary>
/// Which of the embedded broker's queue features RabbitMQ 3.10 has, and with which queue type. RabbitMQ accepts
/// an <c>x-</c> argument it does not know and ignores it, and a classic queue ignores <c>x-delivery-limit</c>:
/// a feature a service counts on must be refused where Autonomy sees it, never dropped without a word.
/// </summary>
public static class RabbitMqFeatureCheck
{
    public const string Quorum = "quorum";
    public const string Classic = "classic";
    public const string QueueTypeArgument = "x-queue-type";

    // Features no RabbitMQ 3.10 queue has (the delayed-message plugin is not shipped with it).
    private static readonly (string Argument, string Feature)[] Missing =
    [
        (QueueArguments.RetryBackoff, "retry backoff (x-retry-backoff)"),
        (QueueArguments.RetryBackoffMultiplier, "retry backoff (x-retry-backoff-multiplier)"),
        (QueueArguments.RetryBackoffMax, "retry backoff (x-retry-backoff-max)"),
        (QueueArguments.DeduplicationWindow, "de-duplication (x-deduplication-window)"),
    ];

    /// <summary>
    /// Whether RabbitMQ 3.10 can hold a queue declared with these settings; <paramref name="backend"/> names the
    /// server in the refusal (its URL without credentials).
    /// </summary>
    public static RabbitMqQueueFit CheckQueue(bool durable, bool exclusive, bool autoDelete, IReadOnlyDictionary<string, object?> arguments, string backend)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        foreach (var (argument, feature) in Missing)
        {
            if (arguments.ContainsKey(argument))
            {
                return Refuse($"{feature} is not available on RabbitMQ 3.10 (backend {backend})");
            }
        }
        var quorumOnly = arguments.ContainsKey(QueueArguments.DeliveryLimit) ? "delivery limit (x-delivery-limit)" : null;
        var classicOnly = ClassicOnly(durable, exclusive, autoDelete, arguments);
        var asked = arguments.TryGetValue(QueueTypeArgument, out var type) ? type as string : null;
        if (quorumOnly is not null && classicOnly is not null)
        {
            return Refuse($"{quorumOnly} needs a quorum queue and {classicOnly} a classic one: no queue on RabbitMQ 3.10 (backend {backend}) has both");
        }
        if (quorumOnly is not null && asked is { } notQuorum && notQuorum != Quorum)
        {
            return Refuse($"{quorumOnly} is not available on a {notQuorum} queue on RabbitMQ 3.10 (backend {backend}): declare it with x-queue-type: quorum, or leave x-queue-type out");
        }
        if (classicOnly is not null && asked == Quorum)
        {
            return Refuse($"{classicOnly} is not available on a quorum queue on RabbitMQ 3.10 (backend {backend}): declare it with x-queue-type: classic, or leave x-queue-type out");
        }
        return new RabbitMqQueueFit(quorumOnly is not null ? Quorum : classicOnly is not null ? Classic : null, null);
    }

    /// <summary>Whether RabbitMQ 3.10 can deliver a message published with these headers.</summary>
    public static string? CheckMessage(IReadOnlyDictionary<string, object?>? headers, string backend) =>
        headers is not null && headers.ContainsKey(QueueArguments.DelayHeader)
            ? $"delayed delivery (x-delay) is not available on RabbitMQ 3.10 (backend {backend})"
            : null;

    private static string? ClassicOnly(bool durable, bool exclusive, bool autoDelete, IReadOnlyDictionary<string, object?> arguments)
    {
        if (arguments.ContainsKey(QueueArguments.MaxPriority))
        {
            return "a priority queue (x-max-priority)";
        }
        if (arguments.TryGetValue(QueueArguments.Overflow, out var overflow) && overflow is "reject-publish-dlx")
        {
            return "overflow reject-publish-dlx (x-overflow)";
        }
        return !durable ? "a non-durable queue" : exclusive ? "an exclusive queue" : autoDelete ? "an auto-delete queue" : null;
    }

    private static RabbitMqQueueFit Refuse(string why) => new(null, why);
}
