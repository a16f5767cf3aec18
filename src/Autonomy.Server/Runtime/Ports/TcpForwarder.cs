using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autonomy.Server.Runtime.Ports;

/// <summary>
/// A published port: listens on a host address and forwards each TCP connection to one of the service's healthy
/// replicas, round robin. The replica set is read anew for every connection, so replicas that turn healthy join the
/// rotation at once and those that leave it get no new connections; connections already forwarded keep their replica.
/// </summary>
internal sealed partial class TcpForwarder : IAsyncDisposable
{
    private readonly IPEndPoint _listenOn;
    private readonly BackendRotation _rotation;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();

    // Completed once disposal has begun and the last connection has ended.
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Socket? _listener;
    private IPEndPoint? _boundTo;
    private Task _acceptLoop = Task.CompletedTask;
    private long _totalConnections;
    private int _activeConnections;
    private int _disposed;


    /// <param name="healthyBackends">Asked at every new connection, so it should be cheap; it may return a new list each time.</param>
    /// <param name="connectTimeout">
    /// How long a backend may take to accept before the next one is tried; <see cref="DefaultConnectTimeout"/> when null.
    /// A replica on loopback accepts or refuses at once, so this only matters for one that is hung.
    /// </param>
    public TcpForwarder(IPEndPoint listenOn, Func<IReadOnlyList<IPEndPoint>> healthyBackends, ILogger<TcpForwarder>? logger = null, TimeSpan? connectTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(listenOn);
        ArgumentNullException.ThrowIfNull(healthyBackends);
        _listenOn = listenOn;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _rotation = new BackendRotation(healthyBackends, connectTimeout ?? DefaultConnectTimeout, _logger);
    }

    public static TimeSpan DefaultConnectTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>The address actually bound, with the port the system chose when port 0 was asked for.</summary>
    public IPEndPoint LocalEndPoint => _boundTo ?? throw new InvalidOperationException("The forwarder has not been started.");

    /// <summary>Client connections accepted since the start.</summary>
    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    /// <summary>Client connections accepted and not yet closed, including those still looking for a backend.</summary>
    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    /// <summary>
    /// Connections open (or being opened) to the backend listening on <paramref name="port"/>, so that a replica being
    /// drained is stopped once its connections have ended.
    /// </summary>
    public int OpenTo(int port) => _rotation.InUse(port);

    /// <summary>
    /// Binds and starts accepting. Binding happens before this returns, so a port taken by another program is reported
    /// here, as a <see cref="PortInUseException"/>, rather than lost in a background task.
    /// </summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (_listener is not null)
        {
            throw new InvalidOperationException("The forwarder has already been started.");
        }

        var listener = new Socket(_listenOn.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(_listenOn);
            listener.Listen(backlog: 512);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            listener.Dispose();
            throw new PortInUseException(_listenOn, e);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _boundTo = (IPEndPoint)listener.LocalEndPoint!;
        // On the thread pool: the loop and every connection it starts must not capture the caller's synchronization
        // context, whose threads may be busy with anything.
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener, _stopping.Token));
    }

    /// <summary>Stops listening, closes every open connection and returns once all of them have ended.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener?.Dispose();
        await _acceptLoop;

        // No connection can be added now that the accept loop has ended; any still open was told to stop by the token.
        if (Volatile.Read(ref _activeConnections) == 0)
        {
            _drained.TrySetResult();
        }
        await _drained.Task;
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // A client that gave up before being accepted is routine. Running out of file descriptors is not, and
                // would fail again at once: pausing keeps the loop from spinning until some connections close.
                LogAcceptFailed(_logger, LocalEndPoint, e.SocketErrorCode.ToString());
                if (e.SocketErrorCode is not (SocketError.ConnectionAborted or SocketError.ConnectionReset))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                }
                continue;
            }

            Interlocked.Increment(ref _totalConnections);
            Interlocked.Increment(ref _activeConnections);
            // Served off this loop: a connection whose socket calls keep completing synchronously (a fast backend
            // on loopback) would otherwise hold up the next accept.
            _ = Task.Run(() => ServeAsync(client, ct), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        try
        {
            client.NoDelay = true;
            var backend = await _rotation.ConnectAsync(ct);
            if (backend is null)
            {
                if (!ct.IsCancellationRequested)
                {
                    LogNoBackend(_logger, LocalEndPoint);
                }
                ForwardedConnection.Reset(client);
                return;
            }
            var port = ((IPEndPoint)backend.RemoteEndPoint!).Port;
            try
            {
                await new ForwardedConnection(client, backend).RunAsync(ct);
            }
            finally
            {
                _rotation.Release(port);
            }
        }
        catch (Exception e)
        {
            // Runs detached from the accept loop: whatever goes wrong ends this connection only.
            if (e is not OperationCanceledException)
            {
                LogConnectionFailed(_logger, e, LocalEndPoint);
            }
            ForwardedConnection.Reset(client);
        }
        finally
        {
            if (Interlocked.Decrement(ref _activeConnections) == 0 && ct.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No healthy backend answered for {ListenOn}; the client connection was closed")]
    private static partial void LogNoBackend(ILogger logger, IPEndPoint listenOn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting a connection on {ListenOn} failed ({Error})")]
    private static partial void LogAcceptFailed(ILogger logger, IPEndPoint listenOn, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A connection forwarded from {ListenOn} failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, IPEndPoint listenOn);
}
