using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// An exchange's routing table, rebuilt whenever its bindings change and never changed afterwards, so that
/// publishers read it without a lock.
/// </summary>
internal abstract class Router
{
    public static readonly Router Empty = new FanoutRouter([]);

    /// <summary>Adds to <paramref name="matches"/> every binding the message matches.</summary>
    public abstract void Route(string routingKey, FieldTable? headers, List<Binding> matches);

    public static Router Build(ExchangeKind kind, IReadOnlyList<Binding> bindings) => bindings.Count == 0 ? Empty : kind switch
    {
        ExchangeKind.Direct => new DirectRouter(bindings),
        ExchangeKind.Fanout => new FanoutRouter(bindings),
        ExchangeKind.Topic => new TopicRouter(bindings),
        ExchangeKind.Headers => new HeadersRouter(bindings),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
