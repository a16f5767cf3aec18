using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

public sealed partial class VirtualHost
{
    public async Task BindQueueAsync(string queue, string exchange, string routingKey, FieldTable? arguments = null, object? owner = null)
    {
        Names.CheckRoutingKey(routingKey);
        await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
        var destination = FindQueue(queue);
        destination.CheckAccess(owner);
        var source = BindingSource(exchange);
        Bind(source, destination, null, routingKey, arguments, topology);
    }

    public async Task UnbindQueueAsync(string queue, string exchange, string routingKey, FieldTable? arguments = null, object? owner = null)
    {
        Names.CheckRoutingKey(routingKey);
        await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
        var destination = FindQueue(queue);
        destination.CheckAccess(owner);
        var source = BindingSource(exchange);
        var key = arguments ?? new FieldTable();
        RemoveBindingsWhere(source, b => b.Matches(destination, routingKey, key), topology);
    }

    public async Task BindExchangeAsync(string destination, string source, string routingKey, FieldTable? arguments = null)
    {
        Names.CheckRoutingKey(routingKey);
        await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
        var target = BindingSource(destination);
        var origin = BindingSource(source);
        Bind(origin, null, target, routingKey, arguments, topology);
    }

    public async Task UnbindExchangeAsync(string destination, string source, string routingKey, FieldTable? arguments = null)
    {
        Names.CheckRoutingKey(routingKey);
        await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
        var target = BindingSource(destination);
        var origin = BindingSource(source);
        var key = arguments ?? new FieldTable();
        RemoveBindingsWhere(origin, b => b.Matches(target, routingKey, key), topology);
    }

    /// <summary>Recovery: a binding from the definitions file (both ends exist, nothing is written).</summary>
    internal void RestoreBinding(string source, string destination, bool destinationIsQueue, string routingKey, FieldTable arguments)
    {
        var origin = FindExchange(source);
        if (destinationIsQueue)
        {
            origin.AddBinding(new Binding(origin, FindQueue(destination), null, routingKey, arguments));
        }
        else
        {
            origin.AddBinding(new Binding(origin, null, FindExchange(destination), routingKey, arguments));
        }
    }

    private Exchange BindingSource(string name)
    {
        var exchange = FindExchange(name);
        return exchange.IsDefault
            ? throw new BrokerException(ReplyCode.AccessRefused, "operation not permitted on the default exchange")
            : exchange;
    }

    private static void Bind(Exchange source, MessageQueue? queue, Exchange? exchange, string routingKey, FieldTable? arguments,
        Broker.TopologyScope topology)
    {
        var args = arguments?.Clone() ?? new FieldTable();
        if (source.Kind == ExchangeKind.Headers)
        {
            HeadersRouter.Validate(args);
        }
        var destination = (object?)queue ?? exchange!;
        if (source.Bindings.Any(b => b.Matches(destination, routingKey, args)))
        {
            return;
        }
        var binding = new Binding(source, queue, exchange, routingKey, args);
        source.AddBinding(binding);
        if (binding.Durable)
        {
            topology.DefinitionsChanged();
        }
    }
}
