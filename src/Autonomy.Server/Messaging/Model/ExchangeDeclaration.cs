namespace Autonomy.Server.Messaging.Model;

/// <summary>exchange.declare. Passive only checks that the exchange exists (NOT_FOUND otherwise).</summary>
public sealed record ExchangeDeclaration(string Name, ExchangeKind Kind, bool Durable = true, bool AutoDelete = false,
    bool Internal = false, FieldTable? Arguments = null, bool Passive = false);
