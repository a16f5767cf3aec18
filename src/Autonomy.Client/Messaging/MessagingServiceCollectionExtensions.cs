using Autonomy.Client.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In the namespace of IServiceCollection, as the framework's own Add* methods are.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Autonomy's message queue client to a service collection.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="MessageQueueClient"/> for the service's own vhost, from MESSAGE_QUEUE_HTTP_URL
    /// (which Autonomy gives every replica). Resolving it without a URL throws, naming the variable.
    /// </summary>
    public static IServiceCollection AddAutonomyMessaging(this IServiceCollection services) => services.AddAutonomyMessaging(_ => { });

    /// <summary>Registers the client as <see cref="AddAutonomyMessaging(IServiceCollection)"/> does, with its options changed.</summary>
    public static IServiceCollection AddAutonomyMessaging(this IServiceCollection services, Action<MessageQueueOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(_ =>
        {
            var options = new MessageQueueOptions();
            configure(options);
            return new MessageQueueClient(options);
        });
        return services;
    }
}
