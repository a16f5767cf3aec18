using System.Collections.Concurrent;
using Autonomy.Server.Governance;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Messaging;

/// <summary>
/// Each service's own namespace in the embedded broker: a vhost named after it (declared before anything of
/// the service runs, and kept with its messages when the service goes), a user named after it with a random
/// password made when the server starts (never written anywhere: the replicas get it in
/// MESSAGE_QUEUE_URL for AMQP 0-9-1 and MESSAGE_QUEUE_HTTP_URL for the HTTP API), allowed everything in its vhost and
/// what its <c>x-autonomy.grants</c> add.
/// </summary>
internal sealed class ServiceVirtualHosts(Broker broker, BrokerUsers users, Func<int> port, Func<int> amqpPort) : IServiceMessaging
{
    private readonly ConcurrentDictionary<string, string> _passwords = new(StringComparer.Ordinal);

    public async Task PrepareAsync(ServicePlan plan, CancellationToken ct)
    {
        await broker.DeclareVirtualHostAsync(plan.Name);
        var grants = ServicePermissions.Grants(plan.Service).Where(g => g.Kind.StartsWith("messaging:", StringComparison.Ordinal)).ToList();
        if (_passwords.ContainsKey(plan.Name))
        {
            users.GiveService(plan.Name, grants);
        }
        else
        {
            _passwords[plan.Name] = users.AddService(plan.Name, grants);
        }
    }

    public IReadOnlyDictionary<string, string> VariablesFor(string service) => _passwords.TryGetValue(service, out var password)
        ? new Dictionary<string, string>
        {
            ["MESSAGE_QUEUE_URL"] = AmqpUrl(service, password, amqpPort()),
            ["MESSAGE_QUEUE_HTTP_URL"] = $"http://{service}:{password}@127.0.0.1:{port()}/v1/mq/vhosts/{service}",
        }
        : new Dictionary<string, string>();

    /// <summary>
    /// amqp://user:password@127.0.0.1:port/vhost, as RabbitMQ clients read it: user, password and vhost percent-encoded
    /// (a vhost "/" is "%2F"), so that whatever they hold survives the clients' URL decoding.
    /// </summary>
    internal static string AmqpUrl(string user, string password, int port) =>
        $"amqp://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@127.0.0.1:{port}/{Uri.EscapeDataString(user)}";

    /// <summary>Whether <paramref name="vhost"/> is a service's own (it is made again at the next <c>up</c>).</summary>
    public bool IsServiceVhost(string vhost) => _passwords.ContainsKey(vhost);
}
