using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>A binding from an exchange to a queue or to another exchange.</summary>
internal sealed class Binding(Exchange source, MessageQueue? queue, Exchange? exchange, string routingKey, FieldTable arguments)
{
    public Exchange Source { get; } = source;

    public MessageQueue? Queue { get; } = queue;

    public Exchange? Exchange { get; } = exchange;

    public string RoutingKey { get; } = routingKey;

    public FieldTable Arguments { get; } = arguments;

    public string DestinationName => Queue?.Name ?? Exchange!.Name;

    /// <summary>Kept in the definitions file: both ends are.</summary>
    public bool Durable => Source.Durable && (Queue is { } queue ? VirtualHost.IsPersisted(queue) : Exchange!.Durable);

    public bool Matches(object destination, string routingKey, FieldTable arguments) =>
        ReferenceEquals(destination, (object?)Queue ?? Exchange)
        && string.Equals(RoutingKey, routingKey, StringComparison.Ordinal)
        && Arguments.Equals(arguments);

    public BindingInfo Info => new(Source.Name, DestinationName, Queue is not null, RoutingKey, Arguments.Clone());
}
