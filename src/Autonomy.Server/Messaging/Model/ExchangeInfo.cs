namespace Autonomy.Server.Messaging.Model;

/// <summary>An exchange as declared. The default exchange has the name "".</summary>
public sealed record ExchangeInfo(string Name, string Vhost, ExchangeKind Kind, bool Durable, bool AutoDelete, bool Internal,
    FieldTable Arguments)
{
    public string Type => ExchangeKinds.Name(Kind);
}
