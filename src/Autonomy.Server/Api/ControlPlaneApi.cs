using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using System.Text.Json;
using Autonomy.Server.Hosting;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Api;

/// <summary>The control plane's HTTP API under <c>/v1</c>; every call but <c>/healthz</c> needs a token whose role has the permission the route declares.</summary>
internal static class ControlPlaneApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app, ControlPlane plane)
    {
        var sessions = new Dashboard.DashboardSessions();
        TokenAuthorization.Use(app, plane.Tokens, plane.Audit, plane.BrokerUsers, sessions);
        Dashboard.DashboardApi.Map(app, sessions, plane.Tokens, plane.Audit);
        Dashboard.ServiceEventsApi.Map(app, plane.Supervisor);

        app.MapGet("/healthz", () => Results.Text("ok")).RequiresNoToken();
        app.MapGet("/v1/status", () => Results.Json(new { project = plane.ProjectName, phase = plane.Phase, error = plane.Failure, logLines = plane.FailureLines, gateway_port = plane.Gateway.Port, gateway_address = plane.Gateway.Address, gateway_note = plane.Gateway.Note }, Json))
            .Requires("services:read");
        app.MapGet("/v1/services", () => Results.Json(plane.Supervisor.Status().Select(ServiceView.From), Json)).Requires("services:read");
        app.MapGet("/v1/services/{name}", (string name) => plane.Supervisor.Status().FirstOrDefault(s => s.Name == name) is { } s
            ? Results.Json(ServiceView.From(s), Json)
            : Problems.UnknownService(name)).Requires("services:read:{name}");
        app.MapPost("/v1/services/{name}/restart", async (string name, CancellationToken ct) =>
            await Act(plane, name, () => plane.Supervisor.RestartAsync(name, ct))).Requires("services:write:{name}");
        app.MapPost("/v1/services/{name}/scale", async (string name, ScaleRequest request, CancellationToken ct) =>
            request.Replicas is < 0 or > 1000
                ? Problems.Of(400, "invalid-replicas", "Invalid replica count", "replicas must be a whole number from 0 to 1000")
                : await Act(plane, name, () => plane.Supervisor.ScaleAsync(name, request.Replicas, ct))).Requires("services:write:{name}");
        app.MapGet("/v1/logs", Logs).Requires("logs:read");
        app.MapPost("/v1/reconcile", async (Compose.Loading.ComposeLoadOptions request, CancellationToken ct) =>
        {
            Compose.Model.ComposeProject project;
            try
            {
                project = Compose.Loading.ComposeLoader.Load(request);
            }
            catch (Compose.Diagnostics.ComposeException e)
            {
                return Results.Problem(type: "urn:autonomy:problem:invalid-compose", title: "The compose files have errors", statusCode: 400,
                    detail: string.Join("\n", e.Errors.Select(d => d.Format(request.WorkingDirectory))));
            }
            if (project.Name != plane.ProjectName)
            {
                return Problems.Of(409, "other-project", "Another project", $"this server runs '{plane.ProjectName}', not '{project.Name}'");
            }
            try
            {
                await plane.EnsureNamespacesAsync(project, ct);
                var result = await plane.Supervisor.ReconcileAsync(project, ct);
                await plane.GatewayCaughtUpAsync(ct);
                plane.ConfigSync?.Watch();
                plane.Tokens.ProjectChanged();
                return Results.Json(result, Json);
            }
            catch (Runtime.Planning.ServicePlanException e)
            {
                return Problems.Of(400, "cannot-run", "Services cannot run natively", string.Join("\n", e.Problems));
            }
            catch (ServiceStartException e)
            {
                return Problems.ServiceFailed(e);
            }
        }).Requires("services:write");
        app.MapPost("/v1/shutdown", () =>
        {
            plane.RequestShutdown();
            return Results.Accepted();
        }).Requires("services:write");

        // ?service= may repeat (none means every service); ?tail= is a count or "all" (what the files still hold).
        async Task Logs(HttpContext context, string[]? service, string? tail, bool? follow)
        {
            var wanted = service is { Length: > 0 } ? service.ToHashSet(StringComparer.Ordinal) : null;
            if (wanted?.FirstOrDefault(name => plane.Supervisor.Status().All(s => s.Name != name)) is { } unknown)
            {
                await Problems.UnknownService(unknown).ExecuteAsync(context);
                return;
            }
            var count = tail switch
            {
                null => 100,
                "all" => int.MaxValue,
                _ => int.TryParse(tail, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1,
            };
            if (count < 0)
            {
                await Problems.Of(400, "invalid-tail", "Invalid tail", $"tail is '{tail}'; give a whole number of lines (0 or more) or 'all'").ExecuteAsync(context);
                return;
            }
            context.Response.ContentType = "application/x-ndjson";
            var earlier = wanted is null
                ? plane.Supervisor.TailLogs(null, count)
                : Runtime.Logs.TimeOrder.Last(wanted.SelectMany(name => plane.Supervisor.TailLogs(name, count)), count);
            foreach (var line in earlier)
            {
                await Write(line);
            }
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (follow == true)
            {
                try
                {
                    await foreach (var line in plane.Supervisor.FollowLogs(context.RequestAborted))
                    {
                        if (wanted is null || wanted.Contains(line.Service))
                        {
                            await Write(line);
                            await context.Response.Body.FlushAsync(context.RequestAborted);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }

            Task Write(Runtime.Logs.LogLine line) => context.Response.WriteAsync(
                JsonSerializer.Serialize(new { time = line.Time, service = line.Service, replica = line.Replica, stream = line.Stream.ToString().ToLowerInvariant(), text = line.Text }, Json) + "\n",
                context.RequestAborted);
        }
    }

    private static async Task<IResult> Act(ControlPlane plane, string name, Func<Task> action)
    {
        if (plane.Supervisor.Status().All(s => s.Name != name))
        {
            return Problems.UnknownService(name);
        }
        try
        {
            await action();
            return Results.Json(ServiceView.From(plane.Supervisor.Status().Single(s => s.Name == name)), Json);
        }
        catch (ServiceStartException e)
        {
            return Problems.ServiceFailed(e);
        }
    }

    internal sealed record ScaleRequest(int Replicas);
}
