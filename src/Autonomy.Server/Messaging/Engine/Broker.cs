namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// The embedded message broker: virtual hosts of exchanges and queues over one durable log. Open it with
/// <see cref="OpenAsync"/>, which recovers the definitions and every unsettled durable message.
/// </summary>
public sealed class Broker : IAsyncDisposable
{
    private Broker()
    {
    }

    /// <summary>Opens the broker in <see cref="BrokerOptions.Directory"/>, creating it if needed, and recovers its state.</summary>
    public static Task<Broker> OpenAsync(BrokerOptions options, CancellationToken ct = default) =>
        throw new NotSupportedException();

    public IReadOnlyList<string> VirtualHostNames => throw new NotSupportedException();

    /// <summary>Creates a virtual host with its amq.* exchanges; declaring one that exists returns it.</summary>
    public Task<VirtualHost> DeclareVirtualHostAsync(string name) => throw new NotSupportedException();

    /// <summary>The virtual host; NOT_FOUND when there is none.</summary>
    public VirtualHost GetVirtualHost(string name) => throw new NotSupportedException();

    public bool TryGetVirtualHost(string name, out VirtualHost vhost) => throw new NotSupportedException();

    /// <summary>Deletes a virtual host with its exchanges, queues and messages.</summary>
    public Task DeleteVirtualHostAsync(string name) => throw new NotSupportedException();

    /// <summary>A connection ended: its exclusive queues are deleted.</summary>
    public void CloseOwner(object owner) => throw new NotSupportedException();

    /// <summary>True while publishers are held back (memory or disk under pressure).</summary>
    public bool IsBlocked => throw new NotSupportedException();

    /// <summary>Raised with (blocked, reason) when publishers start or stop being held back.</summary>
    public event Action<bool, string>? BlockedChanged
    {
        add => throw new NotSupportedException();
        remove => throw new NotSupportedException();
    }

    public BrokerStats Stats => throw new NotSupportedException();

    public ValueTask DisposeAsync() => throw new NotSupportedException();
}
