using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// An exchange with its bindings. The bindings change only under the virtual host's topology lock; each change
/// publishes a new immutable <see cref="Router"/>, which publishers read without one.
/// </summary>
internal sealed class Exchange(VirtualHost vhost, string name, ExchangeKind kind, bool durable, bool autoDelete, bool @internal,
    FieldTable arguments, bool builtIn)
{
    private readonly List<Binding> _bindings = [];
    private volatile Router _router = Router.Empty;

    public VirtualHost Vhost { get; } = vhost;
    public string Name { get; } = name;
    public ExchangeKind Kind { get; } = kind;
    public bool Durable { get; } = durable;
    public bool AutoDelete { get; } = autoDelete;
    public bool Internal { get; } = @internal;
    public FieldTable Arguments { get; } = arguments;

    /// <summary>The default exchange and the amq.* ones: made with the virtual host, never deleted by users.</summary>
    public bool BuiltIn { get; } = builtIn;

    public bool IsDefault => Name.Length == 0;

    /// <summary>Where messages this exchange cannot route go (the alternate-exchange argument).</summary>
    public string? AlternateExchange { get; } =
        FieldValues.TryGetString(arguments[QueueArguments.AlternateExchange], out var alternate) ? alternate : null;

    public Router Router => _router;

    /// <summary>Bindings with this exchange as their source (read under the topology lock).</summary>
    public IReadOnlyList<Binding> Bindings => _bindings;

    /// <summary>Set once the exchange had a binding: an auto-delete exchange goes when its last one does.</summary>
    public bool HadBindings { get; private set; }

    public void AddBinding(Binding binding)
    {
        _bindings.Add(binding);
        HadBindings = true;
        _router = Router.Build(Kind, _bindings);
    }

    public void RemoveBindings(Predicate<Binding> match)
    {
        if (_bindings.RemoveAll(match) > 0)
        {
            _router = Router.Build(Kind, _bindings);
        }
    }

    public ExchangeInfo Info => new(Name, Vhost.Name, Kind, Durable, AutoDelete, Internal, Arguments.Clone());
}
