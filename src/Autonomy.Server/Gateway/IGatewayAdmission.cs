using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Gateway;

/// <summary>
/// Decides, before the gateway forwards a request on a route, whether the route lets it through: rate limits, API keys
/// and quotas. A refusal is answered by the admission itself (429 with Retry-After, 401, 403), and the request is not
/// forwarded.
/// </summary>
public interface IGatewayAdmission
{
    /// <summary>True to forward; false when the response has been written. <paramref name="routeId"/> is <c>service/index</c>.</summary>
    ValueTask<bool> AdmitAsync(HttpContext context, string routeId);
}
