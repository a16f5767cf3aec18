using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// A refusal the AMQP layer closes a channel or the connection with: the reply code, the reply text as RabbitMQ words
/// it ("NOT_FOUND - no queue 'q' in vhost 'v'"), and the class and method that failed (0, 0 when none did).
/// </summary>
internal sealed class AmqpException(ReplyCode code, string replyText, ushort classId = 0, ushort methodId = 0) : Exception(replyText)
{
    public ReplyCode Code { get; } = code;

    public ushort ClassId { get; } = classId;

    public ushort MethodId { get; } = methodId;

    /// <summary>Whether the whole connection closes (hard errors), rather than one channel.</summary>
    public bool ClosesConnection => ReplyCodes.IsConnectionError(Code);

    public static AmqpException Of(ReplyCode code, string reason, ushort classId = 0, ushort methodId = 0) =>
        new(code, $"{ReplyCodes.Name(code)} - {reason}", classId, methodId);

    public static AmqpException From(BrokerException error, ushort classId, ushort methodId) =>
        new(error.Code, error.Message, classId, methodId);

    /// <summary>
    /// A codec refusal as the connection closes with it: arguments that cannot be decoded are a FRAME_ERROR, as
    /// RabbitMQ's reader treats them, and a method id that names nothing is COMMAND_INVALID.
    /// </summary>
    public static AmqpException From(AmqpFrameException error) => error.Code switch
    {
        ReplyCode.SyntaxError => Of(ReplyCode.FrameError, error.Reason, error.ClassId, error.MethodId),
        ReplyCode.NotImplemented => Of(ReplyCode.CommandInvalid, error.Reason, error.ClassId, error.MethodId),
        _ => new AmqpException(error.Code, error.Message, error.ClassId, error.MethodId),
    };
}
