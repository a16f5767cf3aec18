using System.Text;
using System.Text.Json;

namespace Autonomy.Client.Messaging;

/// <summary>
/// A message held for this consumer until its lease ends: <see cref="AckAsync"/> when it is done with,
/// <see cref="NackAsync"/> to give it back (now, after a delay, or to the dead-letter exchange). One neither
/// acked nor nacked in time goes back to the queue, and is delivered again with <see cref="Redelivered"/> set.
/// </summary>
public sealed class ReceivedMessage
{
    private readonly MessageQueueClient _client;

    internal ReceivedMessage(MessageQueueClient client, string queue, JsonElement m)
    {
        _client = client;
        Queue = queue;
        Receipt = m.GetProperty("receipt").GetString()!;
        Redelivered = m.GetProperty("redelivered").GetBoolean();
        DeliveryCount = m.GetProperty("delivery_count").GetInt64();
        Exchange = m.GetProperty("exchange").GetString()!;
        RoutingKey = m.GetProperty("routing_key").GetString()!;
        var payload = m.GetProperty("payload").GetString()!;
        Body = m.GetProperty("payload_encoding").GetString() == "base64" ? Convert.FromBase64String(payload) : Encoding.UTF8.GetBytes(payload);
        var properties = m.GetProperty("properties");
        string? Text(string name) => properties.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        ContentType = Text("content_type");
        MessageId = Text("message_id");
        CorrelationId = Text("correlation_id");
        Type = Text("type");
        ReplyTo = Text("reply_to");
        Headers = properties.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object
            ? headers.EnumerateObject().ToDictionary(h => h.Name, h => h.Value.Clone(), StringComparer.Ordinal)
            : new Dictionary<string, JsonElement>();
    }

    public string Queue { get; }

    /// <summary>What the broker knows this delivery by: acking or nacking it names it.</summary>
    public string Receipt { get; }

    /// <summary>It was delivered before (and not acknowledged).</summary>
    public bool Redelivered { get; }

    /// <summary>How many earlier deliveries of it went back to the queue.</summary>
    public long DeliveryCount { get; }

    public string Exchange { get; }

    public string RoutingKey { get; }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The body as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Body.Span);

    public string? ContentType { get; }

    public string? MessageId { get; }

    public string? CorrelationId { get; }

    public string? Type { get; }

    public string? ReplyTo { get; }

    /// <summary>Its headers as JSON values (x-death, for a dead letter, says why and where it died).</summary>
    public IReadOnlyDictionary<string, JsonElement> Headers { get; }

    /// <summary>Done with it: the broker forgets it.</summary>
    /// <exception cref="MessageQueueException">409 when its lease ended first (it went back to the queue, and may be delivered again).</exception>
    public Task AckAsync(CancellationToken ct = default) => _client.AckAsync([this], ct);

    /// <summary>
    /// Gives it back: to the queue (after <paramref name="delay"/>, when given), or with
    /// <paramref name="requeue"/> false to the queue's dead-letter exchange (dropped when it has none).
    /// </summary>
    public Task NackAsync(bool requeue = true, TimeSpan? delay = null, CancellationToken ct = default) => _client.NackAsync([this], requeue, delay, ct);
}
