using System.Buffers;
using System.Net.Sockets;

namespace Autonomy.Server.Runtime.Ports;

/// <summary>
/// One client joined to one backend: bytes are copied both ways at once until both sides have finished sending.
/// </summary>
internal sealed class ForwardedConnection
{
    // Large enough that a bulk transfer moves in few system calls; held only while bytes are in flight.
    private const int BufferSize = 64 * 1024;

    private readonly Socket _client;
    private readonly Socket _backend;
    private int _aborted;

    public ForwardedConnection(Socket client, Socket backend)
    {
        _client = client;
        _backend = backend;
    }

    /// <summary>
    /// Copies until both directions end, then closes both sockets. A half-close is passed on (the other side sees end
    /// of stream and may still answer); a reset or socket error on either side, or <paramref name="ct"/>, resets both.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        // Closing the sockets is what interrupts a pending receive, so cancellation is turned into an abort rather than
        // passed to every socket call.
        using var registration = ct.Register(static state => ((ForwardedConnection)state!).Abort(), this);
        try
        {
            await Task.WhenAll(CopyAsync(_client, _backend), CopyAsync(_backend, _client));
        }
        finally
        {
            _client.Dispose();
            _backend.Dispose();
        }
    }

    // One loop per direction, written as a single async method so that its state machine is allocated once per
    // connection rather than once per chunk; the socket operations themselves complete without allocating.
    private async Task CopyAsync(Socket from, Socket to)
    {
        try
        {
            while (true)
            {
                // A zero-byte receive waits for data without holding a buffer, so idle keep-alive connections cost no
                // buffer memory; a pooled buffer is taken only once there is something to copy.
                await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                int received;
                try
                {
                    received = await from.ReceiveAsync(buffer, SocketFlags.None);
                    for (var sent = 0; sent < received;)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, received - sent), SocketFlags.None);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                if (received == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A reset on one side must reach the other as a reset, not as a clean end of stream that would pass a
            // truncated response off as complete.
            Abort();
        }
    }

    private void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }
        Reset(_client);
        Reset(_backend);
    }

    /// <summary>Closes with RST: a zero linger drops unsent data and tells the peer at once.</summary>
    internal static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(enable: true, seconds: 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed or reset: nothing left to tell the peer.
        }
        socket.Dispose();
    }
}
