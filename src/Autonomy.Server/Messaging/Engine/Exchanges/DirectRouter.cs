using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>Direct: the bindings whose key equals the routing key.</summary>
internal sealed class DirectRouter : Router
{
    private readonly Dictionary<string, Binding[]> _byKey;

    public DirectRouter(IReadOnlyList<Binding> bindings) =>
        _byKey = bindings.GroupBy(b => b.RoutingKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    public override void Route(string routingKey, FieldTable? headers, List<Binding> matches)
    {
        if (_byKey.TryGetValue(routingKey, out var bindings))
        {
            matches.AddRange(bindings);
        }
    }
}
