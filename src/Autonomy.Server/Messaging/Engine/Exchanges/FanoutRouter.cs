using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>Fanout: every binding, whatever the routing key.</summary>
internal sealed class FanoutRouter(IReadOnlyList<Binding> bindings) : Router
{
    private readonly Binding[] _bindings = [.. bindings];

    public override void Route(string routingKey, FieldTable? headers, List<Binding> matches) => matches.AddRange(_bindings);
}
