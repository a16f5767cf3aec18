using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// Input the codec cannot accept, with the reply code the connection must close with and, when a method was
/// identified, its class and method ids (connection.close names them). The message is the reply text as
/// RabbitMQ words it, starting with the code's name: "FRAME_ERROR - frame end octet 0x00, expected 0xCE".
/// </summary>
internal sealed class AmqpFrameException(ReplyCode code, string reason, ushort classId = 0, ushort methodId = 0)
    : Exception($"{ReplyCodes.Name(code)} - {reason}")
{
    public ReplyCode Code { get; } = code;

    /// <summary>The explanation without the code's name in front.</summary>
    public string Reason { get; } = reason;

    public ushort ClassId { get; } = classId;

    public ushort MethodId { get; } = methodId;
}
