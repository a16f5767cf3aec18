using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

public sealed partial class VirtualHost
{
    public async Task<ExchangeInfo> DeclareExchangeAsync(ExchangeDeclaration d)
    {
        ArgumentNullException.ThrowIfNull(d);
        Names.Check(d.Name, "exchange");
        await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
        if (_exchanges.TryGetValue(d.Name, out var existing))
        {
            if (d.Passive)
            {
                return existing.Info;
            }
            if (existing.IsDefault)
            {
                throw new BrokerException(ReplyCode.AccessRefused, "operation not permitted on the default exchange");
            }
            if (existing.BuiltIn)
            {
                throw BrokerErrors.ReservedName("exchange", d.Name, Name);
            }
            CheckEquivalent(existing, d);
            return existing.Info;
        }
        if (d.Passive)
        {
            throw BrokerErrors.NoExchange(d.Name, Name);
        }
        if (d.Name.StartsWith("amq.", StringComparison.Ordinal))
        {
            throw BrokerErrors.ReservedName("exchange", d.Name, Name);
        }
        var arguments = d.Arguments?.Clone() ?? new FieldTable();
        if (arguments.TryGetValue(QueueArguments.AlternateExchange, out var alternate) && !FieldValues.TryGetString(alternate, out _))
        {
            throw new BrokerException(ReplyCode.PreconditionFailed,
                $"invalid arg '{QueueArguments.AlternateExchange}' for exchange '{d.Name}' in vhost '{Name}': expected a string (an exchange name), received the value '{FieldValues.Describe(alternate)}' of type '{FieldValues.TypeName(alternate)}'");
        }
        var exchange = new Exchange(this, d.Name, d.Kind, d.Durable, d.AutoDelete, d.Internal, arguments, builtIn: false);
        _exchanges[d.Name] = exchange;
        if (exchange.Durable)
        {
            topology.DefinitionsChanged();
        }
        return exchange.Info;
    }

    /// <summary>Deletes an exchange and its bindings; a missing one is no error (as in RabbitMQ).</summary>
    public async Task DeleteExchangeAsync(string name, bool ifUnused = false)
    {
        Names.Check(name, "exchange");
        await using var topology = await Broker.EnterTopologyAsync(this).ConfigureAwait(false);
        if (!_exchanges.TryGetValue(name, out var exchange))
        {
            return;
        }
        if (exchange.IsDefault)
        {
            throw new BrokerException(ReplyCode.AccessRefused, "operation not permitted on the default exchange");
        }
        if (exchange.BuiltIn)
        {
            throw BrokerErrors.ReservedName("exchange", name, Name);
        }
        if (ifUnused && exchange.Bindings.Count > 0)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, $"exchange '{name}' in vhost '{Name}' in use");
        }
        RemoveExchange(exchange, topology);
    }

    /// <summary>Recovery: a durable exchange from the definitions file.</summary>
    internal void RestoreExchange(ExchangeDefinition definition) =>
        _exchanges[definition.Name] = new Exchange(this, definition.Name, definition.Kind, durable: true, definition.AutoDelete,
            definition.Internal, definition.Arguments, builtIn: false);

    private void CheckEquivalent(Exchange existing, ExchangeDeclaration d)
    {
        if (existing.Kind != d.Kind)
        {
            throw BrokerErrors.Inequivalent("exchange", "type", d.Name, Name, ExchangeKinds.Name(d.Kind), ExchangeKinds.Name(existing.Kind));
        }
        if (existing.Durable != d.Durable)
        {
            throw BrokerErrors.Inequivalent("exchange", "durable", d.Name, Name, d.Durable, existing.Durable);
        }
        if (existing.AutoDelete != d.AutoDelete)
        {
            throw BrokerErrors.Inequivalent("exchange", "auto_delete", d.Name, Name, d.AutoDelete, existing.AutoDelete);
        }
        if (existing.Internal != d.Internal)
        {
            throw BrokerErrors.Inequivalent("exchange", "internal", d.Name, Name, d.Internal, existing.Internal);
        }
        var received = d.Arguments?[QueueArguments.AlternateExchange];
        var current = existing.Arguments[QueueArguments.AlternateExchange];
        if (!FieldValues.AreEquivalent(received, current))
        {
            throw BrokerErrors.Inequivalent("exchange", QueueArguments.AlternateExchange, d.Name, Name, received, current);
        }
    }

    /// <summary>Removes an exchange with every binding from or to it (under the topology lock).</summary>
    private void RemoveExchange(Exchange exchange, Broker.TopologyScope topology)
    {
        _exchanges.TryRemove(exchange.Name, out _);
        foreach (var binding in exchange.Bindings)
        {
            if (binding.Durable)
            {
                topology.DefinitionsChanged();
            }
        }
        exchange.RemoveBindings(_ => true);
        foreach (var other in _exchanges.Values.ToList())
        {
            RemoveBindingsWhere(other, b => ReferenceEquals(b.Exchange, exchange), topology);
        }
        if (exchange.Durable)
        {
            topology.DefinitionsChanged();
        }
    }

    /// <summary>Removes matching bindings of a source exchange; an auto-delete exchange left without bindings goes too.</summary>
    private void RemoveBindingsWhere(Exchange source, Predicate<Binding> match, Broker.TopologyScope topology)
    {
        var removed = source.Bindings.Where(b => match(b)).ToList();
        if (removed.Count == 0)
        {
            return;
        }
        if (removed.Any(b => b.Durable))
        {
            topology.DefinitionsChanged();
        }
        source.RemoveBindings(match);
        if (source.AutoDelete && source.HadBindings && source.Bindings.Count == 0 && _exchanges.ContainsKey(source.Name))
        {
            RemoveExchange(source, topology);
        }
    }
}
