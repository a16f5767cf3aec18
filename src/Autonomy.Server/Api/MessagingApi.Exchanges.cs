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
    /// <summary><c>…/exchanges</c>: list, show, declare (<c>{type, durable, auto_delete, internal, arguments}</c>) and delete (<c>?if_unused=true</c>).</summary>
    private static void MapExchanges(RouteGroupBuilder mq, ControlPlane plane)
    {
        var permissions = plane.BrokerUsers.Permissions;

        mq.MapGet("/vhosts/{vhost}/exchanges", (string vhost) => Guard(() =>
            Ok(plane.Broker.GetVirtualHost(vhost).Exchanges.OrderBy(e => e.Name, StringComparer.Ordinal).Select(MessagingViews.Exchange))))
            .Requires("messaging:read:{vhost}");

        mq.MapGet("/vhosts/{vhost}/exchanges/{name}", (string vhost, string name) => Guard(() =>
        {
            var exchange = ExchangeOf(name);
            return plane.Broker.GetVirtualHost(vhost).Exchanges.FirstOrDefault(e => e.Name == exchange) is { } found
                ? Ok(MessagingViews.Exchange(found))
                : Refused(new BrokerException(ReplyCode.NotFound, $"no exchange '{name}' in vhost '{vhost}'"));
        })).Requires("messaging:read:{vhost}");

        mq.MapPut("/vhosts/{vhost}/exchanges/{name}", (string vhost, string name, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            if (Refuse(context, permissions, vhost, Operation.Configure, "exchange", name) is { } refused)
            {
                return refused;
            }
            var host = plane.Broker.GetVirtualHost(vhost);
            var body = await JsonFields.ReadAsync(context.Request, optional: false, ct);
            var type = body.String("type") ?? throw new InvalidBodyException("type", "type is missing: give direct, fanout, topic or headers");
            if (!ExchangeKinds.TryParse(type, out var kind))
            {
                throw new InvalidBodyException("type", $"type is '{type}'; an exchange is direct, fanout, topic or headers");
            }
            var declaration = new ExchangeDeclaration(ExchangeOf(name), kind, body.Bool("durable") ?? true, body.Bool("auto_delete") ?? false,
                body.Bool("internal") ?? false, body.Get("arguments") is { } arguments ? FieldTableJson.Read(arguments, "arguments") : null);
            body.EnsureNoOthers();
            var existed = host.Exchanges.Any(e => e.Name == declaration.Name);
            return Ok(MessagingViews.Exchange(await host.DeclareExchangeAsync(declaration)), existed ? 200 : 201);
        })).Requires("messaging:configure:{vhost}");

        mq.MapDelete("/vhosts/{vhost}/exchanges/{name}", (string vhost, string name, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "if_unused")] bool? ifUnused, HttpContext context) => Guard(async () =>
        {
            if (Refuse(context, permissions, vhost, Operation.Configure, "exchange", name) is { } refused)
            {
                return refused;
            }
            await plane.Broker.GetVirtualHost(vhost).DeleteExchangeAsync(ExchangeOf(name), ifUnused ?? false);
            return Results.NoContent();
        })).Requires("messaging:configure:{vhost}");
    }
}
