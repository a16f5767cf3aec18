using System.Net;
using System.Net.Sockets;
using Autonomy.Server.Gateway.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary>
/// A real Kestrel server on loopback with the smallest pipeline a gateway has: the route id is the
/// path's first two segments (<c>/orders/0/…</c> is route <c>orders/0</c>), traffic control admits or
/// answers, and an admitted request is answered 200 with what the service would see of it.
/// </summary>
internal sealed class TrafficHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TrafficHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts a host whose admission is whatever <paramref name="traffic"/> returns at each request (it follows a restart).</summary>
    public static async Task<TrafficHost> StartAsync(Func<TrafficControl> traffic)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? listener = null;
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, o => listener = o));
        var app = builder.Build();
        app.Run(async context =>
        {
            var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (!await traffic().AdmitAsync(context, $"{segments[0]}/{segments[1]}"))
            {
                return;
            }
            var headers = context.Request.Headers;
            await context.Response.WriteAsync(
                $"key-id={headers[TrafficControl.KeyIdHeader]};x-api-key={headers["X-Api-Key"]};authorization={headers.Authorization}");
        });
        await app.StartAsync();
        return new TrafficHost(app, listener!.IPEndPoint!.Port);
    }

    /// <summary>A client whose connections come from <paramref name="from"/> (any 127.x.y.z is loopback on Linux): another client address.</summary>
    public HttpClient Client(string from = "127.0.0.1") => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{Port}"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
