namespace Autonomy.Server.Messaging.Model;

/// <summary>The names of the queue arguments the broker acts on (RabbitMQ's, and its own retry, delay and de-duplication ones).</summary>
public static class QueueArguments
{
    public const string MessageTtl = "x-message-ttl";
    public const string Expires = "x-expires";
    public const string MaxLength = "x-max-length";
    public const string MaxLengthBytes = "x-max-length-bytes";
    public const string Overflow = "x-overflow";
    public const string DeadLetterExchange = "x-dead-letter-exchange";
    public const string DeadLetterRoutingKey = "x-dead-letter-routing-key";
    public const string MaxPriority = "x-max-priority";
    public const string DeliveryLimit = "x-delivery-limit";
    public const string RetryBackoff = "x-retry-backoff";
    public const string RetryBackoffMultiplier = "x-retry-backoff-multiplier";
    public const string RetryBackoffMax = "x-retry-backoff-max";
    public const string DeduplicationWindow = "x-deduplication-window";

    /// <summary>RabbitMQ's queue type: "classic" or "quorum" (both kept here as one durable kind of queue).</summary>
    public const string QueueType = "x-queue-type";

    /// <summary>The message header that delays a message's delivery, in milliseconds.</summary>
    public const string DelayHeader = "x-delay";

    /// <summary>The exchange argument naming where unroutable messages go.</summary>
    public const string AlternateExchange = "alternate-exchange";
}
