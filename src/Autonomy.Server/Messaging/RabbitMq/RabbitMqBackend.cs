using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Autonomy.Server.Governance;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Messaging.RabbitMq;

/// <summary>
/// Services on a RabbitMQ server of the user's: for each, through the management API, a vhost and a user named
/// after it (with <c>prefix</c> in front), the user allowed everything in its vhost and what its
/// <c>x-autonomy.grants</c> add elsewhere, and the queues its <c>x-autonomy.queues</c> declare. The password is
/// kept in the secret store, so every <c>up</c> hands the replicas the same MESSAGE_QUEUE_URL.
/// </summary>
internal sealed class RabbitMqBackend(RabbitMqSettings settings, RabbitMqPasswords passwords) : IServiceMessaging, IDisposable
{
    private const string Everything = ".*";
    private const string Nothing = "^$";

    private readonly RabbitMqManagementClient _client = new(settings);
    private readonly ConcurrentDictionary<string, string> _urls = new(StringComparer.Ordinal);

    public RabbitMqSettings Settings => settings;

    public async Task PrepareAsync(ServicePlan plan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        try
        {
            _urls[plan.Name] = await ProvisionAsync(plan, ct);
        }
        catch (RabbitMqException e)
        {
            throw new ServiceStartException(plan.Name, $"has no message queue: {e.Message}", []);
        }
    }

    private async Task<string> ProvisionAsync(ServicePlan plan, CancellationToken ct)
    {
        var name = settings.NameOf(plan.Name);
        var password = passwords.FindOrCreate(plan.Name);
        await _client.PutVhostAsync(name, $"autonomy service {plan.Name}", ct);
        await _client.PutUserAsync(name, password, ct);
        await _client.PutPermissionsAsync(name, name, Everything, Everything, Everything, ct);
        foreach (var (vhost, (configure, write, read)) in Granted(plan))
        {
            // The other service's vhost may not be made yet: making it here is the same idempotent PUT.
            await _client.PutVhostAsync(vhost, $"autonomy service {vhost}", ct);
            await _client.PutPermissionsAsync(vhost, name, configure ? Everything : Nothing, write ? Everything : Nothing, read ? Everything : Nothing, ct);
        }
        await _client.AwaitVhostsAsync(ct);
        foreach (var queue in DeclaredQueue.Of(plan.Service))
        {
            var fit = RabbitMqFeatureCheck.CheckQueue(queue.Durable, exclusive: false, autoDelete: false, queue.ArgumentValues, settings.Backend);
            if (fit.Refusal is { } refusal)
            {
                throw new RabbitMqException($"queue '{queue.Name}': {refusal}");
            }
            var arguments = queue.Arguments;
            if (fit.QueueType is { } type)
            {
                arguments[RabbitMqFeatureCheck.QueueTypeArgument] = type;
            }
            await _client.PutQueueAsync(name, queue.Name, queue.Durable, autoDelete: false, arguments, ct);
        }
        return settings.UrlFor(plan.Name, password);
    }

    /// <summary>What <c>x-autonomy.grants</c> allow on other services' vhosts, one permission per vhost.</summary>
    private Dictionary<string, (bool Configure, bool Write, bool Read)> Granted(ServicePlan plan)
    {
        var granted = new Dictionary<string, (bool Configure, bool Write, bool Read)>(StringComparer.Ordinal);
        foreach (var grant in ServicePermissions.Grants(plan.Service))
        {
            if (grant.Scope is not { } scope || scope == plan.Name || !grant.Kind.StartsWith("messaging:", StringComparison.Ordinal))
            {
                continue;
            }
            var vhost = settings.NameOf(scope);
            var (configure, write, read) = granted.GetValueOrDefault(vhost);
            granted[vhost] = grant.Kind switch
            {
                "messaging:configure" => (true, write, read),
                "messaging:write" => (configure, true, read),
                "messaging:consume" => (configure, write, true),
                _ => (configure, write, read),
            };
        }
        return granted;
    }

    /// <summary>Whether <paramref name="service"/>'s vhost is on this server (prepared here).</summary>
    public bool Serves(string service) => _urls.ContainsKey(service);

    /// <summary>
    /// Declares a queue in <paramref name="service"/>'s vhost, as the compose file's queues are: refused with why
    /// when RabbitMQ 3.10 cannot hold it, declared with the queue type its features need otherwise.
    /// </summary>
    public async Task<Provisioned> DeclareQueueAsync(string service, string queue, bool durable, bool autoDelete, JsonObject arguments, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var values = arguments.ToDictionary(a => a.Key, a => a.Value is JsonValue v && v.TryGetValue<string>(out var text) ? text : (object?)a.Value?.ToJsonString(), StringComparer.Ordinal);
        var fit = RabbitMqFeatureCheck.CheckQueue(durable, exclusive: false, autoDelete, values, settings.Backend);
        if (fit.Refusal is { } refusal)
        {
            throw new RabbitMqUnsupportedException(refusal);
        }
        if (fit.QueueType is { } type)
        {
            arguments[RabbitMqFeatureCheck.QueueTypeArgument] = type;
        }
        return await _client.PutQueueAsync(settings.NameOf(service), queue, durable, autoDelete, arguments, ct);
    }

    /// <summary>MESSAGE_QUEUE_URL only: the HTTP API (MESSAGE_QUEUE_HTTP_URL) is the embedded broker's.</summary>
    public IReadOnlyDictionary<string, string> VariablesFor(string service) => _urls.TryGetValue(service, out var url)
        ? new Dictionary<string, string> { ["MESSAGE_QUEUE_URL"] = url }
        : new Dictionary<string, string>();

    public void Dispose() => _client.Dispose();
}
