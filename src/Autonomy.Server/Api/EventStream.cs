using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>The headers every server-sent event stream of the API answers with.</summary>
internal static class EventStream
{
    /// <summary>Marks <paramref name="response"/> as an event stream that no cache or proxy holds back.</summary>
    public static HttpResponse Begin(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // nginx (and proxies that follow it) would otherwise buffer the stream and deliver events late.
        response.Headers["X-Accel-Buffering"] = "no";
        return response;
    }
}
