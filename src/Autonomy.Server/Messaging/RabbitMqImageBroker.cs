using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Messaging;

/// <summary>
/// The embedded broker standing in for the rabbitmq image: before anything that depends on such a service starts,
/// the vhost its environment names is declared and its user made, allowed everything there, as the image's first
/// start would do.
/// </summary>
internal sealed class RabbitMqImageBroker(Broker broker, BrokerUsers users, Func<int> amqpPort) : IEmbeddedBroker
{
    public int AmqpPort => amqpPort();

    public async Task PrepareImageAsync(string service, RabbitMqImagePlan image, CancellationToken ct)
    {
        await broker.DeclareVirtualHostAsync(image.Vhost);
        users.AddImageUser(service, image.User, image.Password, image.Vhost);
    }
}
