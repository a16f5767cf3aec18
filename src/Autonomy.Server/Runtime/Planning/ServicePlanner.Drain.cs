using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Compose.Loading;

namespace Autonomy.Server.Runtime.Planning;

internal sealed partial class ServicePlanner
{
    /// <summary><c>x-autonomy.drain_grace</c>: how long a rolling restart waits for an old replica's in-flight work; else the stop grace period.</summary>
    private TimeSpan DrainGrace(ServiceDefinition service)
    {
        if (Extension(service, "drain_grace") is not { } node)
        {
            return service.StopGracePeriod;
        }
        if (node is JsonValue v && v.TryGetValue<string>(out var text) && GoDuration.TryParse(text, out var grace) && grace >= TimeSpan.Zero)
        {
            return grace;
        }
        Problem(service, $"x-autonomy.drain_grace is '{node.ToJsonString().Trim('"')}', which is not a duration", "write e.g. '30s'");
        return service.StopGracePeriod;
    }
}
