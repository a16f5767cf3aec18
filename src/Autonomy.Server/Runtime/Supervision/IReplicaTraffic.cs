namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Something that carries traffic to replicas (the TCP forwarders, the gateway) and can say how much of it is still in
/// flight to one, so that a replica being taken out is stopped only once what it was serving has finished.
/// </summary>
public interface IReplicaTraffic
{
    /// <summary>Requests or connections now open to the replica of <paramref name="service"/> listening on <paramref name="port"/>.</summary>
    int InFlight(string service, int port);

    /// <summary>
    /// Completes once no new request or connection is sent to the replica on <paramref name="port"/> (it is draining or
    /// gone). Where routing reads the replicas directly, that is at once.
    /// </summary>
    Task WhenRoutedAwayAsync(string service, int port, CancellationToken ct) => Task.CompletedTask;
}
