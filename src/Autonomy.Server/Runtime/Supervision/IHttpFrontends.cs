using System.Net;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Serves the ports of an HTTP service at layer 7 (the gateway): every request on the port goes to one of the service's
/// replicas in rotation, balanced, with retries and ejection, instead of being forwarded as plain TCP.
/// </summary>
public interface IHttpFrontends
{
    /// <summary>Starts serving <paramref name="service"/> on <paramref name="at"/>; disposing the result lets the port go.</summary>
    Task<IAsyncDisposable> ServeAsync(string service, IPEndPoint at, CancellationToken ct);
}
