namespace Autonomy.Server.Messaging.Model;

/// <summary>The names AMQP gives its reply codes, which start every reply text ("NOT_FOUND - …").</summary>
public static class ReplyCodes
{
    public static string Name(ReplyCode code) => code switch
    {
        ReplyCode.ContentTooLarge => "CONTENT_TOO_LARGE",
        ReplyCode.NoRoute => "NO_ROUTE",
        ReplyCode.NoConsumers => "NO_CONSUMERS",
        ReplyCode.AccessRefused => "ACCESS_REFUSED",
        ReplyCode.NotFound => "NOT_FOUND",
        ReplyCode.ResourceLocked => "RESOURCE_LOCKED",
        ReplyCode.PreconditionFailed => "PRECONDITION_FAILED",
        ReplyCode.FrameError => "FRAME_ERROR",
        ReplyCode.SyntaxError => "SYNTAX_ERROR",
        ReplyCode.CommandInvalid => "COMMAND_INVALID",
        ReplyCode.ChannelError => "CHANNEL_ERROR",
        ReplyCode.UnexpectedFrame => "UNEXPECTED_FRAME",
        ReplyCode.ResourceError => "RESOURCE_ERROR",
        ReplyCode.NotAllowed => "NOT_ALLOWED",
        ReplyCode.NotImplemented => "NOT_IMPLEMENTED",
        ReplyCode.InternalError => "INTERNAL_ERROR",
        _ => ((ushort)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Connection-level codes close the whole connection; the others close only the channel.</summary>
    public static bool IsConnectionError(ReplyCode code) => code is ReplyCode.FrameError or ReplyCode.SyntaxError
        or ReplyCode.CommandInvalid or ReplyCode.ChannelError or ReplyCode.UnexpectedFrame or ReplyCode.ResourceError
        or ReplyCode.NotAllowed or ReplyCode.NotImplemented or ReplyCode.InternalError;
}
