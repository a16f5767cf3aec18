using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Autonomy.Server.Gateway;

public sealed partial class HttpGateway
{
    /// <summary>Tells the routes which listener a request came in on: a service's own port, or the gateway's.</summary>
    private Task MarkFrontend(HttpContext context, RequestDelegate next)
    {
        var headers = context.Request.Headers;
        if (_frontendPorts.TryGetValue(context.Connection.LocalPort, out var service))
        {
            headers[GatewayConfig.FrontendHeader] = service;
        }
        else if (headers.ContainsKey(GatewayConfig.FrontendHeader))
        {
            headers.Remove(GatewayConfig.FrontendHeader);
        }
        return next(context);
    }

    /// <summary>Request id and trace context, the route's admission, and the access log line.</summary>
    private async Task ObserveAsync(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = RequestIdentity.Apply(context.Request.Headers);
        var feature = context.GetReverseProxyFeature();
        var routeId = feature.Route.Config.RouteId;
        // An upgraded connection (a WebSocket) is copied both ways as its bytes come: its body stays the server's own.
        var upgrade = context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
            || context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true };
        var serverBody = upgrade ? null : CoalescedResponse.Install(context);
        try
        {
            if (routeId.EndsWith(GatewayConfig.FrontendRouteSuffix, StringComparison.Ordinal) || await Admission.AdmitAsync(context, routeId))
            {
                await next(context);
            }
        }
        finally
        {
            if (serverBody is not null)
            {
                context.Features.Set(serverBody);
            }
            if (!context.Response.HasStarted)
            {
                // The route's timeout cancels the request as a client going away would; the answer says which it was.
                if (context.Features.Get<IHttpRequestTimeoutFeature>() is { RequestTimeoutToken.IsCancellationRequested: true })
                {
                    context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
                }
                context.Response.Headers[RequestIdentity.RequestIdHeader] = requestId;
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            Diagnostics.GatewayRequestTags.Record(routeId, context.Response.StatusCode, elapsed.TotalSeconds);
            _accessLog.Write(new AccessLogEntry(DateTimeOffset.UtcNow, routeId, context.Request.Method, context.Request.Path.Value ?? "/",
                context.Response.StatusCode, elapsed.TotalMilliseconds, feature.ProxiedDestination?.Model.Config.Address,
                requestId, context.Connection.RemoteIpAddress));
        }
    }

    /// <summary>
    /// Keeps new requests off draining replicas, and retries a request the replica did not answer on another one:
    /// only for idempotent methods without a body, at most the service's <c>retries</c> times.
    /// </summary>
    private async Task RetryAsync(HttpContext context, RequestDelegate next)
    {
        var feature = context.GetReverseProxyFeature();
        if (_anyDraining)
        {
            feature.AvailableDestinations = Serving(feature.AvailableDestinations);
        }
        var retries = Idempotent(context.Request) ? Retries(feature.Cluster) : 0;
        if (retries == 0)
        {
            await next(context);
            return;
        }
        var candidates = feature.AvailableDestinations;
        while (true)
        {
            await next(context);
            if (retries-- == 0 || context.Response.HasStarted || context.Features.Get<IForwarderErrorFeature>() is not { Error: ForwarderError.Request }
                || feature.ProxiedDestination is not { } failed)
            {
                return;
            }
            candidates = [.. candidates.Where(d => d != failed)];
            if (candidates.Count == 0)
            {
                return;
            }
            feature.AvailableDestinations = candidates;
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
        }
    }

    private static List<DestinationState> Serving(IReadOnlyList<DestinationState> destinations) =>
        [.. destinations.Where(d => d.Model.Config.Metadata?.GetValueOrDefault(GatewayConfig.DrainingKey) != "true")];

    private static int Retries(ClusterModel cluster) =>
        cluster.Config.Metadata?.GetValueOrDefault(GatewayConfig.RetriesKey) is { } text
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var retries) ? retries : 0;

    /// <summary>A method that may be repeated (RFC 9110), on a request with no body to send again.</summary>
    private static bool Idempotent(HttpRequest request)
    {
        var method = request.Method;
        var idempotent = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || HttpMethods.IsTrace(method);
        return idempotent && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true;
    }
}
