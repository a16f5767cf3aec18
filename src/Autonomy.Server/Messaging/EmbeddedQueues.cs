using System.Text.Json;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Http;
using Autonomy.Server.Messaging.Model;
using Autonomy.Server.Messaging.RabbitMq;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Messaging;

/// <summary>
/// The queues a service's <c>x-autonomy.queues</c> declare, in its vhost of the embedded broker: the same compose
/// file declares them on RabbitMQ, so a service finds its queues on either backend.
/// </summary>
internal static class EmbeddedQueues
{
    public static async Task DeclareAsync(Broker broker, ServicePlan plan)
    {
        foreach (var queue in DeclaredQueue.Of(plan.Service))
        {
            FieldTable arguments;
            try
            {
                arguments = FieldTableJson.Read(JsonSerializer.SerializeToElement(queue.Arguments), "arguments");
                QueueArgumentChecks.Check(arguments, $"x-autonomy.queues.{queue.Name}.arguments");
            }
            catch (InvalidBodyException e)
            {
                throw new ServiceStartException(plan.Name, $"has no message queue: queue '{queue.Name}': {e.Message}", []);
            }
            await broker.GetVirtualHost(plan.Name).DeclareQueueAsync(new QueueDeclaration(queue.Name, queue.Durable, Arguments: arguments.Count > 0 ? arguments : null));
        }
    }
}
