using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Config;
using Autonomy.Server.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class ConfigApi
{
    /// <summary>Canary releases of a namespace: start (to replicas or a percentage), list, promote, abandon.</summary>
    private static void MapCanary(RouteGroupBuilder config, IConfigStore store, CanaryReleases canaries)
    {
        config.MapPost("/{ns}/canary", async (string ns, CanaryRequest request, HttpContext context, CancellationToken ct) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            if (CheckOperations(request.Operations) is { } bad)
            {
                return bad;
            }
            var operations = (request.Operations ?? []).Select(op => new CanaryOperation(op.Op!, op.Key!, op.Value, op.ContentType ?? StoreOperation.PlainText)).ToList();
            if (operations.Count == 0)
            {
                return Problems.Of(400, "invalid-body", "The request body is not valid", "a canary needs at least one operation");
            }
            var window = TimeSpan.FromSeconds(60);
            if (request.Window is { } text && !(GoDuration.TryParse(text, out window) && window > TimeSpan.Zero && window <= TimeSpan.FromHours(24)))
            {
                return Problems.Of(400, "invalid-window", "Invalid window", $"window is '{text}'; give a duration such as 60s or 5m, at most 24h");
            }
            try
            {
                var canary = await canaries.StartAsync(ns, operations, request.Replicas, request.Percent, request.AutoRollback, window, TokenAuthorization.CallerOf(context).Actor, ct);
                return Results.Json(canary, Json, statusCode: 201);
            }
            catch (CanaryException e)
            {
                return Problems.Of(409, "canary-refused", "The canary cannot start", e.Message);
            }
        }).Requires("config:write:{ns}");

        config.MapGet("/{ns}/canary", (string ns) => Known(store, ns) ?? Results.Json(canaries.All(ns), Json)).Requires("config:read:{ns}");

        config.MapPost("/{ns}/canary/{id}/promote", async (string ns, string id, HttpContext context, CancellationToken ct) =>
            await Canary(store, ns, () => canaries.PromoteAsync(ns, id, TokenAuthorization.CallerOf(context).Actor, ct))).Requires("config:write:{ns}");

        config.MapPost("/{ns}/canary/{id}/abandon", async (string ns, string id, HttpContext context, CancellationToken ct) =>
            await Canary(store, ns, () => canaries.AbandonAsync(ns, id, $"abandoned by {TokenAuthorization.CallerOf(context).Actor}", ct: ct))).Requires("config:write:{ns}");
    }

    private static async Task<IResult> Canary(IConfigStore store, string ns, Func<Task<CanaryRelease>> action)
    {
        if (Known(store, ns) is { } unknown)
        {
            return unknown;
        }
        try
        {
            return Results.Json(await action(), Json);
        }
        catch (CanaryNotFoundException e)
        {
            return Problems.Of(404, "unknown-canary", "No such canary", e.Message);
        }
        catch (CanaryException e)
        {
            return Problems.Of(409, "canary-ended", "The canary has ended", e.Message);
        }
    }

    internal sealed record CanaryRequest(List<OperationRequest>? Operations, List<string>? Replicas, int? Percent, bool AutoRollback, string? Window);
}
