using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// The RabbitMQ extensions a client said it understands in start-ok's client-properties.capabilities; the server uses
/// each only when the client set it true.
/// </summary>
internal readonly record struct ClientCapabilities(bool AuthenticationFailureClose, bool ConsumerCancelNotify, bool ConnectionBlocked)
{
    public static ClientCapabilities Of(FieldTable? clientProperties)
    {
        if (clientProperties?["capabilities"] is not FieldTable capabilities)
        {
            return default;
        }
        return new ClientCapabilities(Has("authentication_failure_close"), Has("consumer_cancel_notify"), Has("connection.blocked"));

        bool Has(string name) => capabilities[name] is true;
    }
}
