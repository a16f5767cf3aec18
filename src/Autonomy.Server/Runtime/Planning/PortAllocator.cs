using System.Net;
using System.Net.Sockets;

namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// Hands out free loopback ports: the kernel picks one (bind to port 0), and ports already given
/// out are never handed out again by this allocator, even after their listener closed.
/// </summary>
internal sealed class PortAllocator
{
    private readonly HashSet<int> _given = [];
    private readonly Lock _lock = new();

    public int Allocate()
    {
        lock (_lock)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
                if (_given.Add(port))
                {
                    return port;
                }
            }
            throw new InvalidOperationException("no free loopback port could be found");
        }
    }

    /// <summary>Marks a port as taken (a published host port), so that it is never handed to a replica.</summary>
    public void Reserve(int port)
    {
        lock (_lock)
        {
            _given.Add(port);
        }
    }
}
