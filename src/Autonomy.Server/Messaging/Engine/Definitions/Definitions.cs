using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>What outlives a restart besides messages: virtual hosts, durable exchanges and queues, and the bindings between them.</summary>
internal sealed record Definitions(List<VhostDefinition> Vhosts)
{
    public static Definitions Empty => new([]);
}

internal sealed record VhostDefinition(string Name, List<ExchangeDefinition> Exchanges, List<QueueDefinition> Queues,
    List<BindingDefinition> Bindings);

internal sealed record ExchangeDefinition(string Name, ExchangeKind Kind, bool AutoDelete, bool Internal, FieldTable Arguments);

internal sealed record QueueDefinition(string Name, bool AutoDelete, FieldTable Arguments);

internal sealed record BindingDefinition(string Source, string Destination, bool DestinationIsQueue, string RoutingKey, FieldTable Arguments);
