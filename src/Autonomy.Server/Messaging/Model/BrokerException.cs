namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// A refusal by the broker, with the AMQP reply code a channel or connection close would carry. The message
/// is the reply text as RabbitMQ words it, starting with the code's name:
/// "NOT_FOUND - no queue 'orders' in vhost 'shop'".
/// </summary>
public sealed class BrokerException(ReplyCode code, string message)
    : Exception($"{ReplyCodes.Name(code)} - {message}")
{
    public ReplyCode Code { get; } = code;

    /// <summary>The explanation without the code's name in front.</summary>
    public string Reason { get; } = message;
}
