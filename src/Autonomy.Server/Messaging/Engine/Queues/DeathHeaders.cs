using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// The headers a dead-lettered message carries, as RabbitMQ writes them: x-death, an array with one table per
/// (queue, reason) — count, reason, queue, time, exchange, routing-keys, and original-expiration when the message had
/// one — most recent first; x-first-death-reason/queue/exchange set once; x-last-death-* each time. The expiration is
/// removed (so that the message does not expire again where it goes), and so is x-delay (so that it is not delayed
/// again).
/// </summary>
internal static class DeathHeaders
{
    public const string Death = "x-death";

    public static MessageProperties Record(MessageProperties properties, string queue, DeathReason reason, string exchange,
        string routingKey, DateTimeOffset now)
    {
        var headers = properties.Headers?.Clone() ?? new FieldTable();
        var reasonName = DeathReasons.Name(reason);
        var deaths = Deaths(headers);
        var count = 1L;
        var index = deaths.FindIndex(d => d is FieldTable t && Text(t["queue"]) == queue && Text(t["reason"]) == reasonName);
        if (index >= 0)
        {
            count = FieldValues.TryGetInteger(((FieldTable)deaths[index]!)["count"], out var previous) ? previous + 1 : 1;
            deaths.RemoveAt(index);
        }
        var death = new FieldTable
        {
            ["count"] = count,
            ["reason"] = reasonName,
            ["queue"] = queue,
            ["time"] = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()),
            ["exchange"] = exchange,
            ["routing-keys"] = new List<object?> { routingKey },
        };
        if (properties.Expiration is { } expiration)
        {
            death["original-expiration"] = expiration;
        }
        deaths.Insert(0, death);
        headers[Death] = deaths;
        if (!headers.ContainsKey("x-first-death-reason"))
        {
            headers["x-first-death-reason"] = reasonName;
            headers["x-first-death-queue"] = queue;
            headers["x-first-death-exchange"] = exchange;
        }
        headers["x-last-death-reason"] = reasonName;
        headers["x-last-death-queue"] = queue;
        headers["x-last-death-exchange"] = exchange;
        headers.Remove(QueueArguments.DelayHeader);
        return properties with { Headers = headers, Expiration = null };
    }

    /// <summary>
    /// Whether dead-lettering into <paramref name="target"/> would close a cycle with no client in it: the message
    /// already died in that queue and every death since was automatic (expired, maxlen, delivery_limit). RabbitMQ
    /// drops the message for such a target rather than let it circle forever.
    /// </summary>
    public static bool IsCycle(FieldTable? headers, string target)
    {
        foreach (var item in Deaths(headers))
        {
            if (item is not FieldTable death)
            {
                continue;
            }
            if (Text(death["reason"]) == "rejected")
            {
                return false;
            }
            if (Text(death["queue"]) == target)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Where a dead letter first came from: the exchange and routing keys of its oldest death.</summary>
    public static (string Exchange, List<string> RoutingKeys)? FirstDeath(FieldTable? headers)
    {
        var deaths = Deaths(headers);
        if (deaths.Count == 0 || deaths[^1] is not FieldTable oldest)
        {
            return null;
        }
        var exchange = headers!["x-first-death-exchange"] is { } first ? Text(first) : Text(oldest["exchange"]);
        var keys = oldest["routing-keys"] is IReadOnlyList<object?> list ? list.Select(Text).OfType<string>().ToList() : [];
        return exchange is null || keys.Count == 0 ? null : (exchange, keys);
    }

    private static List<object?> Deaths(FieldTable? headers) =>
        headers?[Death] is IReadOnlyList<object?> list ? [.. list] : [];

    private static string? Text(object? value) => FieldValues.TryGetString(value, out var text) ? text : null;
}
