using System.Collections.Concurrent;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Messaging.RabbitMq;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Messaging;

/// <summary>
/// Where each service's messaging lives, as the compose file says at each <c>up</c>: the embedded broker, or the
/// RabbitMQ server of <c>x-autonomy.messaging</c>. A changed file that names another server is followed at the
/// next <c>up</c>, and each service's variables come from the backend that prepared it.
/// </summary>
internal sealed class MessagingBackends(IServiceMessaging embedded, Engine.Broker broker, Func<ComposeProject> project, RabbitMqPasswords passwords) : IServiceMessaging, IDisposable
{
    private readonly ConcurrentDictionary<string, IServiceMessaging> _chosen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private RabbitMqBackend? _rabbitMq;

    public async Task PrepareAsync(ServicePlan plan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var backend = Current();
        await backend.PrepareAsync(plan, ct);
        if (backend == embedded)
        {
            await EmbeddedQueues.DeclareAsync(broker, plan);
        }
        _chosen[plan.Name] = backend;
    }

    public IReadOnlyDictionary<string, string> VariablesFor(string service) =>
        _chosen.TryGetValue(service, out var backend) ? backend.VariablesFor(service) : new Dictionary<string, string>();

    /// <summary>The RabbitMQ server that holds <paramref name="service"/>'s vhost, or null when the embedded broker does.</summary>
    public RabbitMqBackend? RabbitMqOf(string service) =>
        _chosen.TryGetValue(service, out var backend) && backend is RabbitMqBackend rabbitMq && rabbitMq.Serves(service) ? rabbitMq : null;

    private IServiceMessaging Current()
    {
        if (RabbitMqSettings.Of(project()) is not { } settings)
        {
            return embedded;
        }
        lock (_gate)
        {
            if (_rabbitMq?.Settings != settings)
            {
                // The old client is left to the collector: a service being prepared may still use it.
                _rabbitMq = new RabbitMqBackend(settings, passwords);
            }
            return _rabbitMq;
        }
    }

    public void Dispose() => _rabbitMq?.Dispose();
}
