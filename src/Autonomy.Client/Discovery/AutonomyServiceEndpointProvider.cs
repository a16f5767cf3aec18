using Microsoft.Extensions.ServiceDiscovery;

namespace Autonomy.Client.Discovery;

/// <summary>
/// Resolves a service name to its healthy instances in Autonomy's registry: each replica's own address and port, so
/// that the client balances over them itself. A service with no healthy instance adds nothing, and the next provider
/// (the <c>services__NAME__http__0</c> configuration) answers instead.
/// </summary>
internal sealed class AutonomyServiceEndpointProvider(RegistryWatch watch) : IServiceEndpointProvider
{
    public async ValueTask PopulateAsync(IServiceEndpointBuilder endpoints, CancellationToken cancellationToken)
    {
        await watch.StartAsync(cancellationToken);
        // Taken before the endpoints: a change in between fires this token, and the next resolution sees it.
        endpoints.AddChangeToken(watch.ChangeToken);
        foreach (var endpoint in watch.Endpoints)
        {
            endpoints.Endpoints.Add(ServiceEndpoint.Create(endpoint));
        }
    }

    // The watch belongs to the factory, which outlives each provider (one is made per resolution of a name).
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override string ToString() => "Autonomy registry";
}
