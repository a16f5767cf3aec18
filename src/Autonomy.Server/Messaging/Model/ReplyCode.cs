namespace Autonomy.Server.Messaging.Model;

/// <summary>AMQP 0-9-1 reply codes, as RabbitMQ uses them in channel.close and connection.close.</summary>
public enum ReplyCode : ushort
{
    ContentTooLarge = 311,
    NoRoute = 312,
    NoConsumers = 313,
    AccessRefused = 403,
    NotFound = 404,
    ResourceLocked = 405,
    PreconditionFailed = 406,
    FrameError = 501,
    SyntaxError = 502,
    CommandInvalid = 503,
    ChannelError = 504,
    UnexpectedFrame = 505,
    ResourceError = 506,
    NotAllowed = 530,
    NotImplemented = 540,
    InternalError = 541,
}
