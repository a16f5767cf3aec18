using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>A queue's arguments, validated at declare and turned into the limits and behaviours they ask for.</summary>
internal sealed record QueuePolicy
{
    /// <summary>The arguments a redeclare must repeat with the same values (RabbitMQ compares the ones it acts on).</summary>
    public static readonly string[] Compared =
    [
        QueueArguments.MessageTtl, QueueArguments.Expires, QueueArguments.MaxLength, QueueArguments.MaxLengthBytes,
        QueueArguments.Overflow, QueueArguments.DeadLetterExchange, QueueArguments.DeadLetterRoutingKey,
        QueueArguments.MaxPriority, QueueArguments.DeliveryLimit, QueueArguments.RetryBackoff,
        QueueArguments.RetryBackoffMultiplier, QueueArguments.RetryBackoffMax, QueueArguments.DeduplicationWindow,
        QueueArguments.QueueType,
    ];

    public const string ClassicType = "classic";
    public const string QuorumType = "quorum";

    public long? MessageTtl { get; private init; }
    public long? Expires { get; private init; }
    public long? MaxLength { get; private init; }
    public long? MaxLengthBytes { get; private init; }
    public OverflowMode Overflow { get; private init; }
    public string? DeadLetterExchange { get; private init; }
    public string? DeadLetterRoutingKey { get; private init; }

    /// <summary>0 when the queue has no priorities.</summary>
    public byte MaxPriority { get; private init; }

    public long? DeliveryLimit { get; private init; }
    public long? RetryBackoff { get; private init; }
    public double RetryBackoffMultiplier { get; private init; } = 2;
    public long RetryBackoffMax { get; private init; } = 3_600_000;
    public long? DeduplicationWindow { get; private init; }

    /// <summary>x-queue-type: classic (also when absent) or quorum. Both behave alike here; quorum only refuses what RabbitMQ's refuses.</summary>
    public string QueueType { get; private init; } = ClassicType;

    public bool HasLengthLimit => MaxLength is not null || MaxLengthBytes is not null;

    /// <summary>Reads and checks the arguments; a bad one is PRECONDITION_FAILED naming it and the type it must have.</summary>
    public static QueuePolicy Parse(FieldTable? arguments, string queue, string vhost)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return new QueuePolicy();
        }
        var reader = new ArgumentReader(arguments, queue, vhost);
        var policy = new QueuePolicy
        {
            MessageTtl = reader.Integer(QueueArguments.MessageTtl, 0, uint.MaxValue, "a non-negative integer (milliseconds)"),
            Expires = reader.Integer(QueueArguments.Expires, 1, uint.MaxValue, "a positive integer (milliseconds)"),
            MaxLength = reader.Integer(QueueArguments.MaxLength, 0, long.MaxValue, "a non-negative integer (messages)"),
            MaxLengthBytes = reader.Integer(QueueArguments.MaxLengthBytes, 0, long.MaxValue, "a non-negative integer (bytes)"),
            Overflow = reader.Text(QueueArguments.Overflow, "drop-head, reject-publish or reject-publish-dlx") switch
            {
                null or "drop-head" => OverflowMode.DropHead,
                "reject-publish" => OverflowMode.RejectPublish,
                "reject-publish-dlx" => OverflowMode.RejectPublishDlx,
                var other => throw reader.Invalid(QueueArguments.Overflow, other, "drop-head, reject-publish or reject-publish-dlx"),
            },
            DeadLetterExchange = reader.Text(QueueArguments.DeadLetterExchange, "a string (an exchange name)"),
            DeadLetterRoutingKey = reader.Text(QueueArguments.DeadLetterRoutingKey, "a string (a routing key)"),
            MaxPriority = (byte)(reader.Integer(QueueArguments.MaxPriority, 1, 255, "an integer from 1 to 255") ?? 0),
            DeliveryLimit = reader.Integer(QueueArguments.DeliveryLimit, 0, long.MaxValue, "a non-negative integer (returns)"),
            RetryBackoff = reader.Integer(QueueArguments.RetryBackoff, 1, uint.MaxValue, "a positive integer (milliseconds)"),
            RetryBackoffMultiplier = reader.Number(QueueArguments.RetryBackoffMultiplier, 1, 1000, "a number from 1 to 1000") ?? 2,
            RetryBackoffMax = reader.Integer(QueueArguments.RetryBackoffMax, 1, uint.MaxValue, "a positive integer (milliseconds)") ?? 3_600_000,
            DeduplicationWindow = reader.Integer(QueueArguments.DeduplicationWindow, 1, uint.MaxValue, "a positive integer (milliseconds)"),
            QueueType = reader.Text(QueueArguments.QueueType, "classic or quorum") switch
            {
                null or ClassicType => ClassicType,
                QuorumType => QuorumType,
                var other => throw reader.Invalid(QueueArguments.QueueType, other, "classic or quorum"),
            },
        };
        if (policy.DeadLetterRoutingKey is not null && policy.DeadLetterExchange is null)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed,
                $"invalid arg '{QueueArguments.DeadLetterRoutingKey}' for queue '{queue}' in vhost '{vhost}': it needs {QueueArguments.DeadLetterExchange} beside it");
        }
        return policy;
    }

    /// <summary>
    /// A quorum queue is durable, shared and long-lived: like RabbitMQ, refuse one declared auto-delete, exclusive or
    /// transient (checked in RabbitMQ's order, with its words).
    /// </summary>
    public void CheckQueueType(bool durable, bool exclusive, bool autoDelete, string queue, string vhost)
    {
        if (QueueType != QuorumType)
        {
            return;
        }
        var refused = autoDelete ? "auto-delete" : exclusive ? "exclusive" : !durable ? "non-durable" : null;
        if (refused is not null)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, $"invalid property '{refused}' for queue '{queue}' in vhost '{vhost}'");
        }
    }

    /// <summary>How long a message returned for the <paramref name="returns"/>th time waits before it is ready again.</summary>
    public long BackoffFor(long returns)
    {
        if (RetryBackoff is not { } initial || returns < 1)
        {
            return 0;
        }
        var delay = initial * Math.Pow(RetryBackoffMultiplier, returns - 1);
        return delay >= RetryBackoffMax ? RetryBackoffMax : (long)delay;
    }

    private readonly struct ArgumentReader(FieldTable arguments, string queue, string vhost)
    {
        public long? Integer(string name, long min, long max, string expected)
        {
            if (!arguments.TryGetValue(name, out var value))
            {
                return null;
            }
            return FieldValues.TryGetInteger(value, out var number) && number >= min && number <= max
                ? number
                : throw Invalid(name, value, expected);
        }

        public double? Number(string name, double min, double max, string expected)
        {
            if (!arguments.TryGetValue(name, out var value))
            {
                return null;
            }
            return FieldValues.TryGetNumber(value, out var number) && number >= min && number <= max
                ? number
                : throw Invalid(name, value, expected);
        }

        public string? Text(string name, string expected)
        {
            if (!arguments.TryGetValue(name, out var value))
            {
                return null;
            }
            return FieldValues.TryGetString(value, out var text) ? text : throw Invalid(name, value, expected);
        }

        public BrokerException Invalid(string name, object? value, string expected) => new(ReplyCode.PreconditionFailed,
            $"invalid arg '{name}' for queue '{queue}' in vhost '{vhost}': expected {expected}, received the value '{FieldValues.Describe(value)}' of type '{FieldValues.TypeName(value)}'");
    }
}
