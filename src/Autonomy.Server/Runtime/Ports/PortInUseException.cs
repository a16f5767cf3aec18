using System.Net;

namespace Autonomy.Server.Runtime.Ports;

/// <summary>
/// A published port cannot be bound because another program already listens on it. The message is meant for the user:
/// it names the address and says how to find the holder or publish the service elsewhere.
/// </summary>
internal sealed class PortInUseException : Exception
{
    public PortInUseException(IPEndPoint endPoint, Exception? inner = null)
        : base(Describe(endPoint), inner)
    {
        EndPoint = endPoint;
    }

    /// <summary>The address and port that were asked for.</summary>
    public IPEndPoint EndPoint { get; }

    private static string Describe(IPEndPoint endPoint) =>
        $"{endPoint} is already in use by another program. "
        + $"Find it with 'ss -ltnp sport = :{endPoint.Port}' (or 'lsof -i :{endPoint.Port}') and stop it, "
        + "or publish the service on another host port in the compose file (ports: \"OTHER:TARGET\").";
}
