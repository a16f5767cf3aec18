using System.Text.Json;
using Autonomy.Server.Api;
using Autonomy.Server.Runtime.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Dashboard;

/// <summary>
/// <c>GET /v1/services/events</c>: Server-Sent Events of the services as <c>GET /v1/services</c> shows them, one <c>services</c>
/// event with every service whenever the supervisor's state changes (a replica starts, stops, turns healthy…), and again at
/// least every few seconds, so that uptimes and usage figures stay fresh on a quiet project.
/// </summary>
internal static class ServiceEventsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Changes come in bursts (a scale starts several replicas): gathered for this long, they make one event.
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);

    public static void Map(WebApplication app, Supervisor supervisor) =>
        app.MapGet("/v1/services/events", (HttpContext context) => StreamAsync(supervisor, context)).Requires("services:read");

    private static async Task StreamAsync(Supervisor supervisor, HttpContext context)
    {
        var ct = context.RequestAborted;
        var response = Api.EventStream.Begin(context.Response);
        try
        {
            while (true)
            {
                // Taken before the state is read: a change while it is written wakes the next round.
                var changed = supervisor.WhenChanged;
                var services = supervisor.Status().Select(ServiceView.From).ToList();
                var text = "event: services\ndata: " + JsonSerializer.Serialize(services, Json) + "\n\n";
                await response.WriteAsync(text, ct);
                await response.Body.FlushAsync(ct);
                await Task.WhenAny(changed, Task.Delay(Refresh, ct));
                ct.ThrowIfCancellationRequested();
                await Task.Delay(Gather, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The browser went away, or the server is stopping.
        }
    }
}
