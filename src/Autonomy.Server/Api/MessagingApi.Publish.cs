using System.Globalization;
using Autonomy.Server.Hosting;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Http;
using Autonomy.Server.Messaging.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class MessagingApi
{
    /// <summary>The largest body a publish takes (RabbitMQ's default limit is larger; an HTTP body this big belongs in a file store).</summary>
    private const int MaxBodyBytes = 16 << 20;

    /// <summary>
    /// <c>POST …/exchanges/{name}/publish</c>: a JSON envelope <c>{routing_key, properties, payload, payload_encoding}</c>,
    /// or, with <c>?routing_key=</c>, the request body itself as the message (its Content-Type kept, the other
    /// properties from the query). Answers once the broker holds the message durably: <c>{outcome: routed |
    /// unroutable | duplicate}</c>, or 429 when a full queue with reject-publish refused it (try again later).
    /// A message is persistent unless it says delivery_mode 1.
    /// </summary>
    private static void MapPublish(RouteGroupBuilder mq, ControlPlane plane)
    {
        var permissions = plane.BrokerUsers.Permissions;
        mq.MapPost("/vhosts/{vhost}/exchanges/{name}/publish", (string vhost, string name, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            if (Refuse(context, permissions, vhost, Operation.Write, "exchange", name) is { } refused)
            {
                return refused;
            }
            var host = plane.Broker.GetVirtualHost(vhost);
            var (routingKey, properties, body) = context.Request.Query.ContainsKey("routing_key")
                ? await ReadRawAsync(context.Request, ct)
                : await ReadEnvelopeAsync(context.Request, ct);
            var outcome = await host.PublishAsync(ExchangeOf(name), routingKey, properties, body, ct);
            if (outcome == PublishOutcome.Rejected)
            {
                context.Response.Headers.RetryAfter = "1";
                return Results.Problem(type: "urn:autonomy:problem:mq-rejected", title: "A full queue refused the message", statusCode: 429,
                    detail: $"a queue that '{name}' routes to is full and its x-overflow refuses new messages; try again once consumers have caught up",
                    extensions: new Dictionary<string, object?> { ["outcome"] = "rejected" });
            }
            return Ok(new { outcome = outcome.ToString().ToLowerInvariant() });
        })).Requires("messaging:write:{vhost}").WithoutAudit();
    }

    private static async Task<(string RoutingKey, MessageProperties Properties, byte[] Body)> ReadEnvelopeAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidBodyException("routing_key",
                $"the body is {type.Split(';')[0]}, not a JSON envelope: to publish it as it is, give its routing key in the query (?routing_key=…)");
        }
        var fields = await JsonFields.ReadAsync(request, optional: false, ct);
        var routingKey = fields.String("routing_key")
            ?? throw new InvalidBodyException("routing_key", "routing_key is missing: give the key to route the message by (\"\" for fanout exchanges; the queue's name for amq.default)");
        var properties = MessageJson.ReadProperties(fields.Object("properties"));
        var body = MessageJson.ReadPayload(fields);
        fields.EnsureNoOthers();
        return (routingKey, properties, body);
    }

    private static async Task<(string RoutingKey, MessageProperties Properties, byte[] Body)> ReadRawAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new InvalidBodyException("body", $"the body is {request.ContentLength} bytes; a message is at most {MaxBodyBytes >> 20} MiB");
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var query = request.Query;
        string? Text(string key) => query[key].ToString() is { Length: > 0 } value ? value : null;
        long? Whole(string key, long max) => Text(key) is not { } text ? null
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max ? n
            : throw new InvalidBodyException(key, $"{key} is '{text}'; give a whole number from 0 to {max}");
        var mode = Whole("delivery_mode", 2) ?? 2;
        if (mode is not (1 or 2))
        {
            throw new InvalidBodyException("delivery_mode", "delivery_mode is 1 (transient) or 2 (persistent, the default)");
        }
        var delay = Whole("delay", uint.MaxValue);
        var properties = new MessageProperties
        {
            ContentType = request.ContentType,
            DeliveryMode = (byte)mode,
            MessageId = Text("message_id"),
            CorrelationId = Text("correlation_id"),
            Type = Text("type"),
            ReplyTo = Text("reply_to"),
            AppId = Text("app_id"),
            Expiration = Whole("expiration", uint.MaxValue)?.ToString(CultureInfo.InvariantCulture),
            Priority = Whole("priority", 255) is { } priority ? (byte)priority : null,
            Headers = delay is { } ms ? new FieldTable { [QueueArguments.DelayHeader] = ms } : null,
        };
        return (query["routing_key"].ToString(), properties, buffer.ToArray());
    }
}
