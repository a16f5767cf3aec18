using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>The broker's refusals, worded as RabbitMQ words them so that clients and operators recognise them.</summary>
internal static class BrokerErrors
{
    public static BrokerException NoQueue(string queue, string vhost) =>
        new(ReplyCode.NotFound, $"no queue '{queue}' in vhost '{vhost}'");

    public static BrokerException NoExchange(string exchange, string vhost) =>
        new(ReplyCode.NotFound, $"no exchange '{exchange}' in vhost '{vhost}'");

    public static BrokerException NoVhost(string vhost) =>
        new(ReplyCode.NotFound, $"no vhost '{vhost}'");

    public static BrokerException Inequivalent(string what, string arg, string name, string vhost, object? received, object? current) =>
        new(ReplyCode.PreconditionFailed,
            $"inequivalent arg '{arg}' for {what} '{name}' in vhost '{vhost}': received {Describe(received)} but current is {Describe(current)}");

    public static BrokerException Locked(string queue, string vhost) =>
        new(ReplyCode.ResourceLocked,
            $"cannot obtain exclusive access to locked queue '{queue}' in vhost '{vhost}'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.");

    public static BrokerException ReservedName(string what, string name, string vhost) =>
        new(ReplyCode.AccessRefused, $"{what} name '{name}' contains reserved prefix 'amq.*' in vhost '{vhost}'");

    public static BrokerException UnknownDeliveryTag(ulong tag) =>
        new(ReplyCode.PreconditionFailed, $"unknown delivery tag {tag}");

    public static BrokerException Closed(string what) =>
        new(ReplyCode.ChannelError, $"{what} is closed");

    private static string Describe(object? value) => value switch
    {
        null => "none",
        bool b => $"'{(b ? "true" : "false")}'",
        string s => $"'{s}'",
        _ => $"the value '{FieldValues.Describe(value)}' of type '{FieldValues.TypeName(value)}'",
    };
}
