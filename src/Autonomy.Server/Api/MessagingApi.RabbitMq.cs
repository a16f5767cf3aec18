using System.Text.Json;
using System.Text.Json.Nodes;
using Autonomy.Server.Hosting;
using Autonomy.Server.Messaging.Http;
using Autonomy.Server.Messaging.Model;
using Autonomy.Server.Messaging.RabbitMq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class MessagingApi
{
    /// <summary>
    /// A service whose vhost is on RabbitMQ (x-autonomy.messaging): its queue declares go to RabbitMQ, checked as
    /// the compose file's are (refused when RabbitMQ 3.10 lacks a feature, with the queue type a feature needs
    /// otherwise); a publish asking for a delay is refused; anything else is not served here, and says where to go.
    /// Runs after the route's permission is checked.
    /// </summary>
    private static void MapRabbitMqVhosts(RouteGroupBuilder mq, ControlPlane plane) => mq.AddEndpointFilter(async (context, next) =>
    {
        var http = context.HttpContext;
        if (http.Request.RouteValues["vhost"] is not string vhost || plane.RabbitMqOf(vhost) is not { } rabbitMq)
        {
            return await next(context);
        }
        var path = http.Request.Path.Value ?? "";
        var backend = rabbitMq.Settings.Backend;
        try
        {
            if (HttpMethods.IsPut(http.Request.Method) && http.Request.RouteValues["name"] is string queue && path.Contains("/queues/", StringComparison.Ordinal))
            {
                return await DeclareOnRabbitMqAsync(http, rabbitMq, vhost, queue);
            }
            if (HttpMethods.IsPost(http.Request.Method) && path.EndsWith("/publish", StringComparison.Ordinal) && await AsksForDelayAsync(http.Request))
            {
                return Unsupported(RabbitMqFeatureCheck.CheckMessage(new Dictionary<string, object?> { [QueueArguments.DelayHeader] = null }, backend)!);
            }
        }
        catch (InvalidBodyException e)
        {
            return Problems.Of(400, "invalid-body", "The request is not valid", e.Message);
        }
        catch (RabbitMqUnsupportedException e)
        {
            return Unsupported(e.Message);
        }
        catch (RabbitMqException e)
        {
            return Problems.Of(502, "mq-backend-failed", "RabbitMQ refused", e.Message);
        }
        return Problems.Of(409, "mq-on-rabbitmq", "The vhost is on RabbitMQ",
            $"vhost '{vhost}' is on RabbitMQ ({backend}): /v1/mq serves Autonomy's own broker, and here only declares queues; "
            + $"reach the vhost with the service's MESSAGE_QUEUE_URL, or RabbitMQ's management API at {rabbitMq.Settings.ManagementUrl}");
    });

    private static async Task<IResult> DeclareOnRabbitMqAsync(HttpContext http, RabbitMqBackend rabbitMq, string service, string queue)
    {
        var body = await ReadObjectAsync(http.Request);
        if (body["exclusive"] is JsonValue exclusive && exclusive.TryGetValue<bool>(out var isExclusive) && isExclusive)
        {
            throw new RabbitMqUnsupportedException("exclusive queues belong to one AMQP connection, and HTTP has none: use auto_delete, or x-expires to drop a queue nobody uses");
        }
        var durable = body["durable"] is not JsonValue d || !d.TryGetValue<bool>(out var isDurable) || isDurable;
        var autoDelete = body["auto_delete"] is JsonValue a && a.TryGetValue<bool>(out var isAutoDelete) && isAutoDelete;
        var arguments = body["arguments"] as JsonObject ?? [];
        var outcome = await rabbitMq.DeclareQueueAsync(service, queue, durable, autoDelete, (JsonObject)arguments.DeepClone(), http.RequestAborted);
        return Results.Json(new JsonObject
        {
            ["name"] = queue,
            ["vhost"] = service,
            ["durable"] = durable,
            ["auto_delete"] = autoDelete,
            ["backend"] = rabbitMq.Settings.Backend,
        }, statusCode: outcome == Provisioned.Created ? 201 : 200);
    }

    /// <summary>A delay in the query (<c>?delay=</c>) or an <c>x-delay</c> header in a JSON envelope's properties.</summary>
    private static async Task<bool> AsksForDelayAsync(HttpRequest request)
    {
        if (request.Query.ContainsKey("delay"))
        {
            return true;
        }
        if (request.Query.ContainsKey("routing_key"))
        {
            return false;
        }
        var body = await ReadObjectAsync(request);
        return body["properties"] is JsonObject properties && properties["headers"] is JsonObject headers && headers.ContainsKey(QueueArguments.DelayHeader);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        if (buffer.Length == 0)
        {
            return [];
        }
        try
        {
            return JsonNode.Parse(buffer.ToArray()) as JsonObject ?? throw new InvalidBodyException("body", "the body must be a JSON object");
        }
        catch (JsonException)
        {
            throw new InvalidBodyException("body", "the body is not JSON");
        }
    }

    private static IResult Unsupported(string detail) => Problems.Of(400, "mq-unsupported", "RabbitMQ does not have this feature", detail);
}
