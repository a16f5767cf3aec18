using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Gateway;

/// <summary>The admission of a gateway without traffic control: every request goes through.</summary>
internal sealed class AdmitAll : IGatewayAdmission
{
    public static AdmitAll Instance { get; } = new();

    public ValueTask<bool> AdmitAsync(HttpContext context, string routeId) => ValueTask.FromResult(true);
}
