using Autonomy.Server.Hosting;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class MessagingApi
{
    /// <summary>
    /// <c>/v1/mq/vhosts</c>: the vhosts with their totals; one vhost; making and deleting one (messaging:manage).
    /// A service's vhost is made by <c>up</c> and cannot be deleted while the service is in the project.
    /// </summary>
    private static void MapVhosts(RouteGroupBuilder mq, ControlPlane plane)
    {
        mq.MapGet("/vhosts", () => Guard(() =>
            Ok(plane.Broker.VirtualHostNames.Order(StringComparer.Ordinal).Select(name => MessagingViews.Vhost(plane.Broker.GetVirtualHost(name), IsService(plane, name))))))
            .Requires("messaging:read");

        mq.MapGet("/vhosts/{vhost}", (string vhost) => Guard(() => Ok(MessagingViews.Vhost(plane.Broker.GetVirtualHost(vhost), IsService(plane, vhost)))))
            .Requires("messaging:read:{vhost}");

        mq.MapPut("/vhosts/{vhost}", (string vhost) => Guard(async () =>
        {
            if (BrokerNames.CheckVhost(vhost) is { } problem)
            {
                throw new InvalidBodyException("vhost", problem);
            }
            var existed = plane.Broker.TryGetVirtualHost(vhost, out _);
            var made = await plane.Broker.DeclareVirtualHostAsync(vhost);
            return Ok(MessagingViews.Vhost(made, IsService(plane, vhost)), existed ? 200 : 201);
        })).Requires("messaging:manage");

        mq.MapDelete("/vhosts/{vhost}", (string vhost, CancellationToken ct) => Guard(async () =>
        {
            if (plane.Supervisor.Project.FindService(vhost) is not null)
            {
                return Problems.Of(409, "mq-service-vhost", "A service's own vhost",
                    $"vhost '{vhost}' belongs to the service '{vhost}' of this project, which would get it again at the next 'up'; remove the service from the compose file first");
            }
            plane.Broker.GetVirtualHost(vhost);
            await plane.Broker.DeleteVirtualHostAsync(vhost);
            await plane.BrokerUsers.Permissions.ForgetVhostAsync(vhost, ct);
            return Results.NoContent();
        })).Requires("messaging:manage");
    }

    private static bool IsService(ControlPlane plane, string vhost) => plane.Supervisor.Project.FindService(vhost) is not null;
}
