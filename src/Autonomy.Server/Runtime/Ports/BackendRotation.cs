using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Autonomy.Server.Runtime.Ports;

/// <summary>
/// Picks the backend for each new connection: round robin over whatever the healthy set is at that moment, falling over
/// to the next one when a replica refuses or does not answer in time.
/// </summary>
internal sealed partial class BackendRotation
{
    private readonly Func<IReadOnlyList<IPEndPoint>> _healthyBackends;
    private readonly TimeSpan _connectTimeout;
    private readonly ILogger _logger;

    // Shared by every connection of the port so that consecutive clients land on consecutive replicas, even when the
    // list changes between them. Unsigned so that wrapping around after 4 billion connections stays non-negative.
    private uint _next;

    // Connections by backend port, counted from the moment the backend is chosen (before the connect) until the
    // forwarder releases it. Chosen and counted under one lock, so a drain that takes the lock after a replica left
    // the healthy set sees every connection that could still reach it.
    private readonly Lock _choosing = new();
    private readonly Dictionary<int, int> _inUse = [];

    public BackendRotation(Func<IReadOnlyList<IPEndPoint>> healthyBackends, TimeSpan connectTimeout, ILogger logger)
    {
        _healthyBackends = healthyBackends;
        _connectTimeout = connectTimeout;
        _logger = logger;
    }

    /// <summary>
    /// A socket connected to one of the healthy backends, or null when the list is empty or every backend in it failed
    /// (each is tried at most once). The backend stays counted as in use until <see cref="Release"/> with its port.
    /// </summary>
    public async Task<Socket?> ConnectAsync(CancellationToken ct)
    {
        IReadOnlyList<IPEndPoint> backends;
        int first;
        lock (_choosing)
        {
            backends = _healthyBackends();
            if (backends.Count == 0)
            {
                return null;
            }
            first = (int)(_next++ % (uint)backends.Count);
            Take(backends[first].Port);
        }
        for (var i = 0; i < backends.Count; i++)
        {
            var backend = backends[(first + i) % backends.Count];
            if (i > 0)
            {
                lock (_choosing)
                {
                    // Falling over: only to a backend that is still healthy now.
                    if (!_healthyBackends().Contains(backend))
                    {
                        continue;
                    }
                    Take(backend.Port);
                }
            }
            var socket = await TryConnectAsync(backend, ct);
            if (socket is not null)
            {
                return socket;
            }
            Release(backend.Port);
        }
        return null;
    }

    /// <summary>Connections chosen for (or open to) the backend on <paramref name="port"/>.</summary>
    public int InUse(int port)
    {
        lock (_choosing)
        {
            return _inUse.GetValueOrDefault(port);
        }
    }

    /// <summary>Ends the use of a backend that <see cref="ConnectAsync"/> connected to.</summary>
    public void Release(int port)
    {
        lock (_choosing)
        {
            if (--_inUse[port] == 0)
            {
                _inUse.Remove(port);
            }
        }
    }

    private void Take(int port) => _inUse[port] = _inUse.GetValueOrDefault(port) + 1;

    private async Task<Socket?> TryConnectAsync(IPEndPoint backend, CancellationToken ct)
    {
        var socket = new Socket(backend.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_connectTimeout);
        try
        {
            await socket.ConnectAsync(backend, timeout.Token);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            LogBackendFailed(_logger, backend, e.SocketErrorCode.ToString());
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            LogBackendFailed(_logger, backend, "no answer within " + _connectTimeout.TotalSeconds + " s");
            return null;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Backend {Backend} could not be reached ({Reason}); trying the next one")]
    private static partial void LogBackendFailed(ILogger logger, IPEndPoint backend, string reason);
}
