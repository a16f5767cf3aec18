using Microsoft.Extensions.Hosting;

namespace Autonomy.Server.Gateway;

/// <summary>
/// The gateway's host lives and ends with the control plane, which stops it: it must not take the process's signals
/// (Ctrl-C, SIGTERM) as the default console lifetime would, since the command running the server handles those.
/// </summary>
internal sealed class GatewayLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
