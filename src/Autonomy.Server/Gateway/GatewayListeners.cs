using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Autonomy.Server.Runtime.Ports;

namespace Autonomy.Server.Gateway;

/// <summary>
/// The gateway's server: one Kestrel listener per address (its own port and each HTTP service's ports), added and
/// removed while it runs, all serving the same application (the YARP pipeline). Kestrel cannot add an endpoint to a
/// running server, so each address gets a server of its own.
/// </summary>
internal sealed class GatewayListeners(IServiceProvider services, ILoggerFactory loggers) : IServer
{
    private readonly Dictionary<int, KestrelServer> _servers = [];
    private Func<KestrelServer, CancellationToken, Task>? _start;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        _start = (server, ct) => server.StartAsync(application, ct);
        return Task.CompletedTask;
    }

    /// <summary>Listens on <paramref name="at"/> and answers the port bound (a free one when asked for 0).</summary>
    public async Task<int> AddAsync(IPEndPoint at, CancellationToken ct)
    {
        var start = _start ?? throw new InvalidOperationException("the gateway has not started");
        var options = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = services };
        ListenOptions? listener = null;
        options.Listen(at, o => listener = o);
        // As the API does: a request runs on the thread that received it. The proxy only awaits I/O, never blocks.
        // Each connection reads straight into a buffer instead of first waiting for data with an empty read: one system
        // call less per request, for a few kilobytes held by each idle keep-alive connection.
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions
        {
            UnsafePreferInlineScheduling = true,
            WaitForDataBeforeAllocatingBuffer = false,
        }), loggers);
        var server = new KestrelServer(Options.Create(options), transport, loggers);
        try
        {
            await start(server, ct);
        }
        catch (Exception e) when (e is IOException or AddressInUseException)
        {
            server.Dispose();
            throw new PortInUseException(at, e);
        }
        var port = listener!.IPEndPoint!.Port;
        lock (_servers)
        {
            _servers[port] = server;
        }
        return port;
    }

    /// <summary>Stops listening on <paramref name="port"/>; requests under way get a moment to finish.</summary>
    public async Task RemoveAsync(int port)
    {
        KestrelServer? server;
        lock (_servers)
        {
            _servers.Remove(port, out server);
        }
        if (server is not null)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await server.StopAsync(grace.Token);
            server.Dispose();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        int[] ports;
        lock (_servers)
        {
            ports = [.. _servers.Keys];
        }
        foreach (var port in ports)
        {
            await RemoveAsync(port);
        }
    }

    public void Dispose()
    {
        lock (_servers)
        {
            foreach (var server in _servers.Values)
            {
                server.Dispose();
            }
            _servers.Clear();
        }
    }
}
