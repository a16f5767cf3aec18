using Autonomy.Server.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class RegistryApi
{
    private static void MapInstances(RouteGroupBuilder group, Hosting.ControlPlane plane, ExternalInstances external)
    {
        var registry = plane.Registry;

        group.MapPut("/{service}/instances/{id}", async (string service, string id, HttpContext context, CancellationToken ct) =>
        {
            if ((CheckName("service", service) ?? CheckName("instance", id) ?? TakenByReplica(plane, registry, service, id)) is { } refused)
            {
                return refused;
            }
            var caller = TokenAuthorization.CallerOf(context);
            var (registration, problems) = await RegistrationBody.ReadAsync(context.Request, service, id, caller.Actor, ct);
            if (registration is null)
            {
                return Results.Problem(type: "urn:autonomy:problem:invalid-body", title: "The request body is not valid", statusCode: 400,
                    detail: string.Join("; ", problems), extensions: new Dictionary<string, object?> { ["errors"] = problems });
            }
            var (entry, created) = await external.RegisterAsync(registration, RequestAudit.Claim(context), ct);
            return Results.Json(RegisteredView.Of(entry, registration), Json, statusCode: created ? 201 : 200);
        }).Requires("registry:write:{service}");

        group.MapPut("/{service}/instances/{id}/heartbeat", (string service, string id) =>
        {
            if ((CheckName("service", service) ?? CheckName("instance", id) ?? TakenByReplica(plane, registry, service, id)) is { } refused)
            {
                return refused;
            }
            return external.Heartbeat(service, id) is { } entry && external.Find(service, id) is { } registration
                ? Results.Json(RegisteredView.Of(entry, registration), Json)
                : UnknownInstance(service, id);
        }).Requires("registry:write:{service}").WithoutAudit();

        group.MapDelete("/{service}/instances/{id}", async (string service, string id, HttpContext context, CancellationToken ct) =>
        {
            if ((CheckName("service", service) ?? CheckName("instance", id) ?? TakenByReplica(plane, registry, service, id)) is { } refused)
            {
                return refused;
            }
            return await external.DeregisterAsync(service, id, RequestAudit.Claim(context), ct)
                ? Results.NoContent()
                : UnknownInstance(service, id);
        }).Requires("registry:write:{service}");
    }

    /// <summary>
    /// A 409 when the id is a replica's: one that runs now, or one a service of the project will give a replica
    /// (<c>SERVICE-N</c>), so that scaling up never finds its id taken.
    /// </summary>
    private static IResult? TakenByReplica(Hosting.ControlPlane plane, ServiceRegistry registry, string service, string id)
    {
        var running = registry.Find(service, id) is { Source: RegistrySources.Autonomy };
        var reserved = plane.Supervisor.Project.Services.Any(s => s.Name == service)
            && id.StartsWith(service + "-", StringComparison.Ordinal) && id.Length > service.Length + 1 && id[(service.Length + 1)..].All(char.IsAsciiDigit);
        return running || reserved
            ? Problems.Of(409, "instance-is-a-replica", "This id is a replica's",
                $"'{id}' is {(running ? "a replica Autonomy runs" : "the id Autonomy gives a replica")} of '{service}'; an external instance needs another id, e.g. '{service}-external-1' or its host name")
            : null;
    }

    private static IResult UnknownInstance(string service, string id) => Problems.Of(404, "unknown-instance", "No such external instance",
        $"no external instance '{id}' of '{service}' is registered (it may have been removed after its deregister_after without a heartbeat); register it again with PUT /v1/registry/{service}/instances/{id}");

    /// <summary>A registration as it was taken: the instance, with the TTL and removal delay it keeps.</summary>
    internal sealed record RegisteredView(string Service, string Id, string Address, int Port, string Health, string Version,
        IReadOnlyDictionary<string, string> Metadata, string Source, bool Draining, string? Output, long ModifyIndex, string Ttl, string DeregisterAfter)
    {
        public static RegisteredView Of(RegistryEntry e, ExternalRegistration r) => new(e.Service, e.Id, e.Address, e.Port, InstanceView.HealthName(e.Health),
            e.Version, e.Metadata, e.Source, e.Draining, e.Output, e.ModifyIndex, Durations.Text(r.Ttl), Durations.Text(r.DeregisterAfter));
    }
}
