using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Http;

/// <summary>
/// The types the broker's own queue arguments must have, checked before the declaration reaches the broker,
/// so that a wrong one is a 400 naming the field (<c>arguments.x-message-ttl</c>) and what it takes. Unknown
/// <c>x-</c> arguments are kept as they are, as RabbitMQ keeps them.
/// </summary>
internal static class QueueArgumentChecks
{
    private static readonly Dictionary<string, (long Min, long Max, string Meaning)> Whole = new(StringComparer.Ordinal)
    {
        [QueueArguments.MessageTtl] = (0, uint.MaxValue, "milliseconds a message may wait in the queue"),
        [QueueArguments.Expires] = (1, uint.MaxValue, "milliseconds the queue may go unused before it is deleted"),
        [QueueArguments.MaxLength] = (0, long.MaxValue, "messages the queue holds at most"),
        [QueueArguments.MaxLengthBytes] = (0, long.MaxValue, "bytes of bodies the queue holds at most"),
        [QueueArguments.MaxPriority] = (1, 255, "the highest message priority"),
        [QueueArguments.DeliveryLimit] = (0, int.MaxValue, "deliveries before a message is dead-lettered"),
        [QueueArguments.RetryBackoff] = (1, uint.MaxValue, "milliseconds before a returned message is ready again"),
        [QueueArguments.RetryBackoffMax] = (1, uint.MaxValue, "milliseconds a retry waits at most"),
        [QueueArguments.DeduplicationWindow] = (1, uint.MaxValue, "milliseconds a message id is remembered"),
    };

    private static readonly string[] OverflowModes = ["drop-head", "reject-publish", "reject-publish-dlx"];

    private static readonly string[] QueueTypes = ["classic", "quorum"];

    public static void Check(FieldTable arguments, string path)
    {
        foreach (var (name, value) in arguments)
        {
            var field = $"{path}.{name}";
            if (Whole.TryGetValue(name, out var range))
            {
                if (!FieldValues.TryGetInteger(value, out var number) || number < range.Min || number > range.Max)
                {
                    throw new InvalidBodyException(field, $"{field} must be a whole number from {range.Min} to {range.Max} ({range.Meaning}), not {FieldValues.Describe(value)}");
                }
            }
            else if (name == QueueArguments.RetryBackoffMultiplier)
            {
                if (!FieldValues.TryGetNumber(value, out var factor) || factor < 1)
                {
                    throw new InvalidBodyException(field, $"{field} must be a number of at least 1 (each retry waits this many times longer), not {FieldValues.Describe(value)}");
                }
            }
            else if (name == QueueArguments.Overflow)
            {
                if (value is not string mode || !OverflowModes.Contains(mode, StringComparer.Ordinal))
                {
                    throw new InvalidBodyException(field, $"{field} must be one of {string.Join(", ", OverflowModes)}, not {FieldValues.Describe(value)}");
                }
            }
            else if (name == QueueArguments.QueueType)
            {
                if (value is not string type || !QueueTypes.Contains(type, StringComparer.Ordinal))
                {
                    throw new InvalidBodyException(field, $"{field} must be one of {string.Join(", ", QueueTypes)}, not {FieldValues.Describe(value)}");
                }
            }
            else if (name is QueueArguments.DeadLetterExchange or QueueArguments.DeadLetterRoutingKey && value is not string)
            {
                throw new InvalidBodyException(field, $"{field} must be a string (an exchange's name, or a routing key), not {FieldValues.Describe(value)}");
            }
        }
    }
}
