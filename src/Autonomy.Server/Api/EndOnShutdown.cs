using Microsoft.AspNetCore.Builder;

namespace Autonomy.Server.Api;

/// <summary>
/// Long requests (log follows, config watches, blocking reads, queue receives and tails) end when the server starts to stop,
/// instead of holding <c>down</c> for the host's shutdown timeout: every request's abort token also
/// fires when the application begins stopping.
/// </summary>
internal static class EndOnShutdown
{
    public static void Use(WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        app.Use(async (context, next) =>
        {
            // Only requests that may last: short ones finish on their own, without the cost of a linked token.
            var path = context.Request.Path.Value ?? "";
            if (!(path.EndsWith("/watch", StringComparison.Ordinal) || path.EndsWith("/tail", StringComparison.Ordinal) || path == "/v1/logs" || path == "/v1/services/events"
                || context.Request.Query.ContainsKey("index") || context.Request.Query.ContainsKey("wait")))
            {
                await next(context);
                return;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            context.RequestAborted = linked.Token;
            await next(context);
        });
    }
}
