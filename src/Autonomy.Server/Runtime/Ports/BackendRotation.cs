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

    public BackendRotation(Func<IReadOnlyList<IPEndPoint>> healthyBackends, TimeSpan connectTimeout, ILogger logger)
    {
        _healthyBackends = healthyBackends;
        _connectTimeout = connectTimeout;
        _logger = logger;
    }

    /// <summary>
    /// A socket connected to one of the healthy backends, or null when the list is empty or every backend in it failed
    /// (each is tried at most once).
    /// </summary>
    public async Task<Socket?> ConnectAsync(CancellationToken ct)
    {
        var backends = _healthyBackends();
        if (backends.Count == 0)
        {
            return null;
        }

        var first = (int)((Interlocked.Increment(ref _next) - 1) % (uint)backends.Count);
        for (var i = 0; i < backends.Count; i++)
        {
            var socket = await TryConnectAsync(backends[(first + i) % backends.Count], ct);
            if (socket is not null)
            {
                return socket;
            }
        }
        return null;
    }

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
