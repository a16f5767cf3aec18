namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// The server's embedded broker, as the stand-in for services declared by the rabbitmq image. Whatever backend
/// gives the services their own vhosts, such a service is served here. The server provides it; a bare
/// supervisor has none, and such a service cannot start there.
/// </summary>
public interface IEmbeddedBroker
{
    /// <summary>The loopback port of the broker's AMQP listener.</summary>
    int AmqpPort { get; }

    /// <summary>Makes the vhost and the user the image's environment names, so that its clients can log in.</summary>
    Task PrepareImageAsync(string service, Messaging.RabbitMqImagePlan image, CancellationToken ct);
}
