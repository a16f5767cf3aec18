using Autonomy.Client.Discovery;
using Microsoft.Extensions.ServiceDiscovery;

// In the namespace of IServiceCollection, as the framework's own Add* methods are.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Autonomy's registry to Microsoft.Extensions.ServiceDiscovery.</summary>
public static class DiscoveryServiceCollectionExtensions
{
    /// <summary>
    /// Resolves <c>http://NAME</c> to the healthy instances of service NAME in Autonomy's registry, following their
    /// changes (a replica added, one that turns unhealthy or dies) without a restart. Use it with
    /// <c>services.AddServiceDiscovery().AddAutonomyServiceEndpointProvider()</c>; the registry is asked before the
    /// configuration and pass-through providers. Outside Autonomy (no <c>AUTONOMY_URL</c>) it adds nothing.
    /// </summary>
    public static IServiceCollection AddAutonomyServiceEndpointProvider(this IServiceCollection services) =>
        services.AddAutonomyServiceEndpointProvider(_ => { });

    /// <summary>Adds the registry as <see cref="AddAutonomyServiceEndpointProvider(IServiceCollection)"/> does, with its options changed.</summary>
    public static IServiceCollection AddAutonomyServiceEndpointProvider(this IServiceCollection services, Action<AutonomyDiscoveryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new AutonomyDiscoveryOptions();
        configure(options);
        if (options.Url is not { Length: > 0 } || services.Any(d => d.ServiceType == typeof(AutonomyServiceEndpointProviderFactory)))
        {
            return services;
        }
        // Made by the container, so that it stops its registry watches when the container is disposed.
        services.AddSingleton(_ => new AutonomyServiceEndpointProviderFactory(options));
        // First among the providers: the configuration provider answers only a name nobody answered before it.
        services.Insert(0, ServiceDescriptor.Singleton<IServiceEndpointProviderFactory>(sp => sp.GetRequiredService<AutonomyServiceEndpointProviderFactory>()));
        return services;
    }
}
