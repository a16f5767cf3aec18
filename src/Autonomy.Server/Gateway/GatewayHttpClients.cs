using Yarp.ReverseProxy.Forwarder;

namespace Autonomy.Server.Gateway;

/// <summary>
/// The clients the gateway forwards with: HTTP/1.1 keep-alive connections to replicas on loopback, pooled without a
/// limit, and no trace headers of the server's own (the gateway writes <c>traceparent</c> itself, continuing the
/// client's trace).
/// </summary>
internal sealed class GatewayHttpClients : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ActivityHeadersPropagator = null;
        handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60);
        handler.ConnectTimeout = TimeSpan.FromSeconds(5);
    }
}
