using Autonomy.Server.Messaging.RabbitMq;

namespace Autonomy.Tests.Messaging.RabbitMq;

/// <summary>The feature matrix of RabbitMQ 3.10: which queue type a queue needs there, or why it cannot have it.</summary>
public sealed class RabbitMqFeatureCheckTests
{
    private const string Backend = "amqp://rmq.example:5672";

    [Theory]
    // Either type holds these: no type is asked for.
    [InlineData("", true, false, false, null, null)]
    [InlineData("x-message-ttl=60000 x-max-length=10 x-max-length-bytes=1024 x-expires=1000", true, false, false, null, null)]
    [InlineData("x-overflow=drop-head x-dead-letter-exchange=dlx x-dead-letter-routing-key=dead", true, false, false, null, null)]
    [InlineData("x-overflow=reject-publish", true, false, false, null, null)]
    // A delivery limit needs a quorum queue (a classic one ignores it).
    [InlineData("x-delivery-limit=5", true, false, false, "quorum", null)]
    [InlineData("x-delivery-limit=5 x-message-ttl=1000 x-overflow=reject-publish", true, false, false, "quorum", null)]
    [InlineData("x-delivery-limit=5 x-queue-type=quorum", true, false, false, "quorum", null)]
    // Priorities, reject-publish-dlx and transient, exclusive or auto-delete queues need a classic one.
    [InlineData("x-max-priority=10", true, false, false, "classic", null)]
    [InlineData("x-overflow=reject-publish-dlx", true, false, false, "classic", null)]
    [InlineData("", false, false, false, "classic", null)]
    [InlineData("", true, true, false, "classic", null)]
    [InlineData("", true, false, true, "classic", null)]
    // What no queue of RabbitMQ 3.10 has.
    [InlineData("x-retry-backoff=100", true, false, false, null, "retry backoff (x-retry-backoff) is not available on RabbitMQ 3.10 (backend amqp://rmq.example:5672)")]
    [InlineData("x-retry-backoff-multiplier=2", true, false, false, null, "retry backoff (x-retry-backoff-multiplier) is not available on RabbitMQ 3.10 (backend amqp://rmq.example:5672)")]
    [InlineData("x-retry-backoff-max=100", true, false, false, null, "retry backoff (x-retry-backoff-max) is not available on RabbitMQ 3.10 (backend amqp://rmq.example:5672)")]
    [InlineData("x-deduplication-window=1000", true, false, false, null, "de-duplication (x-deduplication-window) is not available on RabbitMQ 3.10 (backend amqp://rmq.example:5672)")]
    // Both types at once.
    [InlineData("x-delivery-limit=5 x-max-priority=10", true, false, false, null,
        "delivery limit (x-delivery-limit) needs a quorum queue and a priority queue (x-max-priority) a classic one: no queue on RabbitMQ 3.10 (backend amqp://rmq.example:5672) has both")]
    [InlineData("x-delivery-limit=5 x-overflow=reject-publish-dlx", true, false, false, null,
        "delivery limit (x-delivery-limit) needs a quorum queue and overflow reject-publish-dlx (x-overflow) a classic one: no queue on RabbitMQ 3.10 (backend amqp://rmq.example:5672) has both")]
    [InlineData("x-delivery-limit=5", false, false, false, null,
        "delivery limit (x-delivery-limit) needs a quorum queue and a non-durable queue a classic one: no queue on RabbitMQ 3.10 (backend amqp://rmq.example:5672) has both")]
    [InlineData("x-delivery-limit=5", true, true, false, null,
        "delivery limit (x-delivery-limit) needs a quorum queue and an exclusive queue a classic one: no queue on RabbitMQ 3.10 (backend amqp://rmq.example:5672) has both")]
    // A type asked for that cannot hold the feature.
    [InlineData("x-delivery-limit=5 x-queue-type=classic", true, false, false, null,
        "delivery limit (x-delivery-limit) is not available on a classic queue on RabbitMQ 3.10 (backend amqp://rmq.example:5672): declare it with x-queue-type: quorum, or leave x-queue-type out")]
    [InlineData("x-max-priority=10 x-queue-type=quorum", true, false, false, null,
        "a priority queue (x-max-priority) is not available on a quorum queue on RabbitMQ 3.10 (backend amqp://rmq.example:5672): declare it with x-queue-type: classic, or leave x-queue-type out")]
    [InlineData("x-queue-type=quorum", false, false, false, null,
        "a non-durable queue is not available on a quorum queue on RabbitMQ 3.10 (backend amqp://rmq.example:5672): declare it with x-queue-type: classic, or leave x-queue-type out")]
    public void EachFeatureGetsItsQueueTypeOrARefusal(string arguments, bool durable, bool exclusive, bool autoDelete, string? type, string? refusal)
    {
        var table = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Split('='))
            .ToDictionary(a => a[0], a => (object?)(long.TryParse(a[1], out var n) ? n : a[1]));
        var fit = RabbitMqFeatureCheck.CheckQueue(durable, exclusive, autoDelete, table, Backend);
        Assert.Equal((type, refusal), (fit.QueueType, fit.Refusal));
    }

    [Fact]
    public void ADelayedMessageIsRefusedAndAnOrdinaryOneIsNot()
    {
        Assert.Equal("delayed delivery (x-delay) is not available on RabbitMQ 3.10 (backend amqp://rmq.example:5672)",
            RabbitMqFeatureCheck.CheckMessage(new Dictionary<string, object?> { ["x-delay"] = 5000L }, Backend));
        Assert.Null(RabbitMqFeatureCheck.CheckMessage(new Dictionary<string, object?> { ["trace"] = "abc" }, Backend));
        Assert.Null(RabbitMqFeatureCheck.CheckMessage(null, Backend));
    }
}
