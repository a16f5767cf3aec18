using Microsoft.AspNetCore.Connections;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>Kestrel's entry for a socket accepted on the AMQP port: the connection runs until either side ends it.</summary>
internal sealed class AmqpConnectionHandler(AmqpServer server) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) =>
        server.RunConnectionAsync(connection.Transport, connection.ConnectionClosed);
}
