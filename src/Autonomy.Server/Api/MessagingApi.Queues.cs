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
    /// <summary>
    /// <c>…/queues</c>: list and show (with depth: ready, unacked, delayed), declare (<c>{durable, auto_delete,
    /// arguments}</c>), delete (<c>?if_unused=&amp;if_empty=</c>) and purge (<c>DELETE …/messages</c>).
    /// </summary>
    private static void MapQueues(RouteGroupBuilder mq, ControlPlane plane)
    {
        var permissions = plane.BrokerUsers.Permissions;

        mq.MapGet("/vhosts/{vhost}/queues", (string vhost) => Guard(() =>
            Ok(plane.Broker.GetVirtualHost(vhost).Queues.OrderBy(q => q.Name, StringComparer.Ordinal).Select(MessagingViews.Queue))))
            .Requires("messaging:read:{vhost}");

        mq.MapGet("/vhosts/{vhost}/queues/{name}", (string vhost, string name) => Guard(() =>
            Ok(MessagingViews.Queue(plane.Broker.GetVirtualHost(vhost).GetQueue(name)))))
            .Requires("messaging:read:{vhost}");

        mq.MapPut("/vhosts/{vhost}/queues/{name}", (string vhost, string name, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            if (Refuse(context, permissions, vhost, Operation.Configure, "queue", name) is { } refused)
            {
                return refused;
            }
            var host = plane.Broker.GetVirtualHost(vhost);
            var body = await JsonFields.ReadAsync(context.Request, optional: true, ct);
            if (body.Bool("exclusive") == true)
            {
                throw new InvalidBodyException("exclusive",
                    "exclusive queues belong to one AMQP connection, and HTTP has none: use auto_delete, or x-expires to drop a queue nobody uses");
            }
            var arguments = body.Get("arguments") is { } given ? FieldTableJson.Read(given, "arguments") : null;
            if (arguments is not null)
            {
                QueueArgumentChecks.Check(arguments, "arguments");
            }
            var declaration = new QueueDeclaration(name, body.Bool("durable") ?? true, Exclusive: false, body.Bool("auto_delete") ?? false, arguments);
            body.EnsureNoOthers();
            var existed = host.Queues.Any(q => q.Name == name);
            return Ok(MessagingViews.Queue(await host.DeclareQueueAsync(declaration)), existed ? 200 : 201);
        })).Requires("messaging:configure:{vhost}");

        mq.MapDelete("/vhosts/{vhost}/queues/{name}", (string vhost, string name, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "if_unused")] bool? ifUnused,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "if_empty")] bool? ifEmpty, HttpContext context) => Guard(async () =>
        {
            if (Refuse(context, permissions, vhost, Operation.Configure, "queue", name) is { } refused)
            {
                return refused;
            }
            var messages = await plane.Broker.GetVirtualHost(vhost).DeleteQueueAsync(name, ifUnused ?? false, ifEmpty ?? false);
            return Ok(new { deleted = name, messages });
        })).Requires("messaging:configure:{vhost}");

        // RabbitMQ asks for read access to purge: it takes messages out of the queue.
        mq.MapDelete("/vhosts/{vhost}/queues/{name}/messages", (string vhost, string name, HttpContext context) => Guard(async () =>
            Refuse(context, permissions, vhost, Operation.Read, "queue", name)
            ?? Ok(new { purged = await plane.Broker.GetVirtualHost(vhost).PurgeQueueAsync(name) })))
            .Requires("messaging:configure:{vhost}");
    }
}
