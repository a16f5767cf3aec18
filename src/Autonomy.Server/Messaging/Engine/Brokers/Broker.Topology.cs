namespace Autonomy.Server.Messaging.Engine;

public sealed partial class Broker
{
    /// <summary>
    /// Serialises every change of exchanges, queues, bindings and virtual hosts, so that the definitions file is
    /// written from one consistent state; publishers never take it.
    /// </summary>
    internal SemaphoreSlim Topology { get; } = new(1, 1);

    internal async Task<TopologyScope> EnterTopologyAsync(VirtualHost? vhost)
    {
        ThrowIfUnavailable();
        await Topology.WaitAsync().ConfigureAwait(false);
        return Entered(vhost);
    }

    internal TopologyScope EnterTopology()
    {
        ThrowIfUnavailable();
        Topology.Wait();
        return Entered(null);
    }

    private TopologyScope Entered(VirtualHost? vhost)
    {
        if (vhost is { Deleted: true })
        {
            Topology.Release();
            throw BrokerErrors.NoVhost(vhost.Name);
        }
        return new TopologyScope(this);
    }

    /// <summary>Writes the definitions file from the current state (under the topology lock).</summary>
    private void SaveDefinitions()
    {
        var vhosts = _vhosts.Values.OrderBy(v => v.Name, StringComparer.Ordinal).Select(vhost => new VhostDefinition(
            vhost.Name,
            [.. vhost.AllExchanges.Where(e => e.Durable && !e.BuiltIn).OrderBy(e => e.Name, StringComparer.Ordinal)
                .Select(e => new ExchangeDefinition(e.Name, e.Kind, e.AutoDelete, e.Internal, e.Arguments))],
            [.. vhost.AllQueues.Where(VirtualHost.IsPersisted).OrderBy(q => q.Name, StringComparer.Ordinal)
                .Select(q => new QueueDefinition(q.Name, q.AutoDelete, q.Arguments))],
            [.. vhost.AllExchanges.OrderBy(e => e.Name, StringComparer.Ordinal).SelectMany(e => e.Bindings).Where(b => b.Durable)
                .Select(b => new BindingDefinition(b.Source.Name, b.DestinationName, b.Queue is not null, b.RoutingKey, b.Arguments))]));
        DefinitionsFile.Save(_definitionsPath, new Definitions([.. vhosts]));
    }

    /// <summary>Holds the topology lock; on leaving, writes the definitions file if a durable thing changed.</summary>
    internal sealed class TopologyScope(Broker broker) : IAsyncDisposable, IDisposable
    {
        private bool _changed;
        private bool _left;

        public void DefinitionsChanged() => _changed = true;

        public void Dispose()
        {
            if (_left)
            {
                return;
            }
            _left = true;
            try
            {
                if (_changed)
                {
                    broker.SaveDefinitions();
                }
            }
            finally
            {
                broker.Topology.Release();
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
