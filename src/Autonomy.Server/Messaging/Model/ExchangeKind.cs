namespace Autonomy.Server.Messaging.Model;

/// <summary>The exchange types of AMQP 0-9-1; <see cref="ExchangeKinds"/> gives their names on the wire.</summary>
public enum ExchangeKind
{
    Direct,
    Fanout,
    Topic,
    Headers,
}
