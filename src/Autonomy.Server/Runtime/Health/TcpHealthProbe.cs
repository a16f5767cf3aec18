using System.Net;
using System.Net.Sockets;

namespace Autonomy.Server.Runtime.Health;

/// <summary>A connection to the replica's port: accepted is healthy.</summary>
internal sealed class TcpHealthProbe(int port) : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
            return new ProbeResult(true, $"port {port} accepts connections");
        }
        catch (SocketException e)
        {
            return new ProbeResult(false, $"port {port}: {e.SocketErrorCode}");
        }
    }
}
