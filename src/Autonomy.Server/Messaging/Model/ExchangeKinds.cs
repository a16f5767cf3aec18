namespace Autonomy.Server.Messaging.Model;

/// <summary>The wire names of exchange types ("direct", "fanout", "topic", "headers").</summary>
public static class ExchangeKinds
{
    public static string Name(ExchangeKind kind) => kind switch
    {
        ExchangeKind.Direct => "direct",
        ExchangeKind.Fanout => "fanout",
        ExchangeKind.Topic => "topic",
        ExchangeKind.Headers => "headers",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown exchange kind"),
    };

    public static bool TryParse(string? name, out ExchangeKind kind)
    {
        switch (name)
        {
            case "direct": kind = ExchangeKind.Direct; return true;
            case "fanout": kind = ExchangeKind.Fanout; return true;
            case "topic": kind = ExchangeKind.Topic; return true;
            case "headers": kind = ExchangeKind.Headers; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>Parses a wire name; an unknown one is the COMMAND_INVALID that RabbitMQ answers.</summary>
    public static ExchangeKind Parse(string? name) => TryParse(name, out var kind)
        ? kind
        : throw new BrokerException(ReplyCode.CommandInvalid, $"unknown exchange type '{name}': expected direct, fanout, topic or headers");
}
