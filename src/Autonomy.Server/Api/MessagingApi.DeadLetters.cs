using Autonomy.Server.Hosting;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Http;
using Autonomy.Server.Messaging.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class MessagingApi
{
    /// <summary>
    /// <c>…/dead-letters</c>: the queues that receive dead letters (bound, directly or through other exchanges,
    /// to an exchange some queue names as its x-dead-letter-exchange), with their depth, the queues that feed
    /// them, and why their first messages died (<c>?peek=</c>, 5 by default). <c>POST …/dead-letters/{queue}/requeue
    /// {max}</c> sends messages back to where they were first published.
    /// </summary>
    private static void MapDeadLetters(RouteGroupBuilder mq, ControlPlane plane)
    {
        var permissions = plane.BrokerUsers.Permissions;

        mq.MapGet("/vhosts/{vhost}/dead-letters", (string vhost, HttpContext context) => Guard(async () =>
        {
            var peek = Count(context.Request, "peek", 5, 0, 100);
            var host = plane.Broker.GetVirtualHost(vhost);
            var user = TokenAuthorization.CallerOf(context).BrokerUser;
            var views = new List<object>();
            foreach (var (queue, sources) in DeadLetterQueues(host))
            {
                if (user is not null && !permissions.Check(user, vhost, Operation.Read, queue.Name))
                {
                    continue;
                }
                var first = peek == 0 ? [] : await host.PeekAsync(queue.Name, peek);
                views.Add(new
                {
                    queue = queue.Name,
                    messages = queue.Messages,
                    ready = queue.Ready,
                    sources,
                    first = first.Select(d => new
                    {
                        message_id = d.Properties.MessageId,
                        routing_key = d.RoutingKey,
                        death = FirstDeath(d.Properties.Headers),
                    }),
                });
            }
            return Ok(views);
        })).Requires("messaging:read:{vhost}");

        mq.MapPost("/vhosts/{vhost}/dead-letters/{queue}/requeue", (string vhost, string queue, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            if (Refuse(context, permissions, vhost, Operation.Read, "queue", queue) is { } refused)
            {
                return refused;
            }
            var body = await JsonFields.ReadAsync(context.Request, optional: true, ct);
            var max = body.Integer("max", 1, long.MaxValue) ?? long.MaxValue;
            body.EnsureNoOthers();
            var host = plane.Broker.GetVirtualHost(vhost);
            host.GetQueue(queue);
            return Ok(new { queue, requeued = await host.MoveDeadLettersAsync(queue, max) });
        })).Requires("messaging:consume:{vhost}");
    }

    /// <summary>Each queue that receives dead letters, with the queues whose dead letters reach it.</summary>
    private static IEnumerable<(QueueInfo Queue, List<string> Sources)> DeadLetterQueues(VirtualHost host)
    {
        var queues = host.Queues.ToDictionary(q => q.Name, StringComparer.Ordinal);
        var bindings = host.Bindings;
        var fed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var source in queues.Values)
        {
            var dlx = source.DeadLetterExchange ?? (FieldValues.TryGetString(source.Arguments[QueueArguments.DeadLetterExchange], out var named) ? named : null);
            if (dlx is null)
            {
                continue;
            }
            var targets = new HashSet<string>(StringComparer.Ordinal);
            if (dlx.Length == 0)
            {
                // The default exchange routes by queue name: the dead-letter routing key names the queue.
                if (FieldValues.TryGetString(source.Arguments[QueueArguments.DeadLetterRoutingKey], out var key))
                {
                    targets.Add(key);
                }
            }
            else
            {
                var exchanges = new Queue<string>([dlx]);
                var seen = new HashSet<string>(StringComparer.Ordinal) { dlx };
                while (exchanges.TryDequeue(out var exchange))
                {
                    foreach (var binding in bindings.Where(b => b.Source == exchange))
                    {
                        if (binding.DestinationIsQueue)
                        {
                            targets.Add(binding.Destination);
                        }
                        else if (seen.Add(binding.Destination))
                        {
                            exchanges.Enqueue(binding.Destination);
                        }
                    }
                }
            }
            foreach (var target in targets.Where(queues.ContainsKey))
            {
                (fed.TryGetValue(target, out var list) ? list : fed[target] = []).Add(source.Name);
            }
        }
        return fed.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (queues[f.Key], f.Value.Order(StringComparer.Ordinal).ToList()));
    }

    /// <summary>The newest entry of a dead letter's x-death header: why it died, where, how often.</summary>
    private static Dictionary<string, object?>? FirstDeath(FieldTable? headers) =>
        headers?["x-death"] is IReadOnlyList<object?> { Count: > 0 } deaths && deaths[0] is FieldTable death ? FieldTableJson.Show(death) : null;
}
