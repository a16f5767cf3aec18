using RabbitMQ.Client;

namespace Autonomy.Tests.TestUtilities;

/// <summary>RabbitMQ.Client 7 as an application would use it, without automatic recovery (a test wants to see every failure).</summary>
internal static class RabbitClients
{
    public static Task<IConnection> ConnectAsync(string url, TimeSpan? heartbeat = null) => Factory(url, heartbeat).CreateConnectionAsync();

    public static ConnectionFactory Factory(string url, TimeSpan? heartbeat = null) => new()
    {
        Uri = new Uri(url),
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        RequestedHeartbeat = heartbeat ?? TimeSpan.FromSeconds(60),
        ClientProvidedName = "autonomy test",
    };

    public static Task<IChannel> ConfirmingChannelAsync(this IConnection connection) =>
        connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
}
