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
    /// <c>…/bindings</c>: list, add (<c>POST</c>) and remove (<c>DELETE</c>) with the body
    /// <c>{source, destination, destination_type: queue | exchange, routing_key, arguments}</c>. As in RabbitMQ,
    /// a broker user needs write access to the destination and read access to the source.
    /// </summary>
    private static void MapBindings(RouteGroupBuilder mq, ControlPlane plane)
    {
        var permissions = plane.BrokerUsers.Permissions;

        mq.MapGet("/vhosts/{vhost}/bindings", (string vhost) => Guard(() =>
            Ok(plane.Broker.GetVirtualHost(vhost).Bindings.Where(b => b.Source.Length > 0).Select(MessagingViews.Binding))))
            .Requires("messaging:read:{vhost}");

        mq.MapPost("/vhosts/{vhost}/bindings", (string vhost, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            var (binding, refused) = await ReadBindingAsync(context, permissions, vhost, ct);
            if (refused is not null)
            {
                return refused;
            }
            var host = plane.Broker.GetVirtualHost(vhost);
            if (binding.DestinationIsQueue)
            {
                await host.BindQueueAsync(binding.Destination, binding.Source, binding.RoutingKey, binding.Arguments);
            }
            else
            {
                await host.BindExchangeAsync(binding.Destination, binding.Source, binding.RoutingKey, binding.Arguments);
            }
            return Ok(MessagingViews.Binding(binding), 201);
        })).Requires("messaging:configure:{vhost}");

        mq.MapDelete("/vhosts/{vhost}/bindings", (string vhost, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            var (binding, refused) = await ReadBindingAsync(context, permissions, vhost, ct);
            if (refused is not null)
            {
                return refused;
            }
            var host = plane.Broker.GetVirtualHost(vhost);
            if (binding.DestinationIsQueue)
            {
                await host.UnbindQueueAsync(binding.Destination, binding.Source, binding.RoutingKey, binding.Arguments);
            }
            else
            {
                await host.UnbindExchangeAsync(binding.Destination, binding.Source, binding.RoutingKey, binding.Arguments);
            }
            return Results.NoContent();
        })).Requires("messaging:configure:{vhost}");
    }

    private static async Task<(BindingInfo Binding, IResult? Refused)> ReadBindingAsync(HttpContext context, BrokerPermissions permissions, string vhost, CancellationToken ct)
    {
        var body = await JsonFields.ReadAsync(context.Request, optional: false, ct);
        var source = body.String("source") ?? throw new InvalidBodyException("source", "source is missing: give the exchange the messages come from");
        if (source is "" or MessagingViews.DefaultExchange)
        {
            throw new InvalidBodyException("source", "the default exchange (amq.default) cannot be bound: every queue is bound to it by its name already");
        }
        var destination = body.String("destination") ?? throw new InvalidBodyException("destination", "destination is missing: give the queue (or exchange) the messages go to");
        var type = body.String("destination_type") ?? "queue";
        if (type is not ("queue" or "exchange"))
        {
            throw new InvalidBodyException("destination_type", $"destination_type is '{type}'; it is queue (the default) or exchange");
        }
        var routingKey = body.String("routing_key") ?? "";
        var arguments = body.Get("arguments") is { } given ? FieldTableJson.Read(given, "arguments") : new FieldTable();
        body.EnsureNoOthers();
        var refused = Refuse(context, permissions, vhost, Operation.Write, type, destination) ?? Refuse(context, permissions, vhost, Operation.Read, "exchange", source);
        return (new BindingInfo(source, destination, type == "queue", routingKey, arguments), refused);
    }
}
