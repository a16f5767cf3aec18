using System.IO.Pipelines;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Autonomy.Tests.TestUtilities;

/// <summary>
/// The embedded broker with its AMQP listener on a loopback port of Kestrel's choosing, as the control plane runs it,
/// without the rest of the platform: a real broker in a temporary folder and a service user "svc" on its own vhost.
/// </summary>
internal sealed class AmqpBrokerHost : IAsyncDisposable
{
    private readonly WebApplication? _app;

    private AmqpBrokerHost(string directory, Broker broker, BrokerUsers users, AmqpServer server, WebApplication? app, int port)
    {
        Directory = directory;
        Broker = broker;
        Users = users;
        Server = server;
        _app = app;
        Port = port;
    }

    public string Directory { get; }

    public Broker Broker { get; }

    public BrokerUsers Users { get; }

    public AmqpServer Server { get; }

    public int Port { get; }

    public string Password { get; private set; } = "";

    /// <summary>The service user's URL, as MESSAGE_QUEUE_URL has it.</summary>
    public string Url => $"amqp://svc:{Password}@127.0.0.1:{Port}/svc";

    public VirtualHost Vhost => Broker.GetVirtualHost("svc");

    /// <summary>Starts the broker and, unless <paramref name="listen"/> is false (in-memory pipes only), its socket listener.</summary>
    public static async Task<AmqpBrokerHost> StartAsync(AmqpOptions? options = null, Func<BrokerOptions, BrokerOptions>? broker = null, bool listen = true)
    {
        var directory = Path.Combine(Path.GetTempPath(), "autonomy-amqp-" + Guid.NewGuid().ToString("N")[..12]);
        var brokerOptions = new BrokerOptions { Directory = directory, SegmentBytes = 4 << 20 };
        var opened = await Broker.OpenAsync(broker?.Invoke(brokerOptions) ?? brokerOptions);
        var users = new BrokerUsers();
        var server = new AmqpServer(() => opened, users, options);
        WebApplication? app = null;
        var port = 0;
        if (listen)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? listener = null;
            builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o =>
            {
                listener = o;
                o.UseConnectionHandler<AmqpConnectionHandler>();
            }));
            builder.Services.AddSingleton(server);
            app = builder.Build();
            await app.StartAsync();
            port = listener!.IPEndPoint!.Port;
        }
        var host = new AmqpBrokerHost(directory, opened, users, server, app, port);
        host.Password = await host.AddServiceAsync("svc");
        return host;
    }

    /// <summary>A service's vhost and user, as the platform makes them; returns the password.</summary>
    public async Task<string> AddServiceAsync(string name)
    {
        await Broker.DeclareVirtualHostAsync(name);
        return Users.AddService(name, []);
    }

    /// <summary>A connection over in-memory pipes (for tests that drive the clock by hand): the client's end, and the server's run.</summary>
    public (IDuplexPipe Client, Task Run) ConnectInMemory()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var run = Server.RunConnectionAsync(new DuplexPipe(toServer.Reader, toClient.Writer));
        return (new DuplexPipe(toClient.Reader, toServer.Writer), run);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await Broker.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
