using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Messaging.RabbitMq;

/// <summary>
/// A queue a service's <c>x-autonomy.queues</c> declares in its own vhost, before anything of the service runs:
/// <c>queues: {NAME: {durable: true, arguments: {x-max-length: 1000}}}</c>.
/// </summary>
public sealed record DeclaredQueue(string Name, bool Durable, JsonObject Arguments)
{
    public const string Field = "queues";
    public const string DurableKey = "durable";
    public const string ArgumentsKey = "arguments";

    /// <summary>The arguments as the feature check reads them (texts as strings, anything else as its JSON).</summary>
    public IReadOnlyDictionary<string, object?> ArgumentValues =>
        Arguments.ToDictionary(a => a.Key, a => a.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : (object?)a.Value?.ToJsonString(), StringComparer.Ordinal);

    /// <summary>The queues of a loaded service (the loader checked their shape).</summary>
    public static IReadOnlyList<DeclaredQueue> Of(ServiceDefinition service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (!service.Extensions.TryGetValue("x-autonomy", out var node) || node is not JsonObject autonomy || autonomy[Field] is not JsonObject queues)
        {
            return [];
        }
        return [.. queues.Select(q =>
        {
            var settings = q.Value as JsonObject;
            var durable = settings?[DurableKey] is not JsonValue d || !d.TryGetValue<bool>(out var given) || given;
            var arguments = settings?[ArgumentsKey] is JsonObject a ? (JsonObject)a.DeepClone() : [];
            return new DeclaredQueue(q.Key, durable, arguments);
        })];
    }
}
