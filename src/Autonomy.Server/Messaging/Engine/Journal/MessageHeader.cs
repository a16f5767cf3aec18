namespace Autonomy.Server.Messaging.Engine;

/// <summary>What a message record says about a message besides its properties and body.</summary>
internal readonly record struct MessageHeader(
    string Vhost,
    string Exchange,
    string RoutingKey,
    bool Persistent,
    long PublishedAt,
    long ReadyAt,
    long ExpiresAfter,
    byte Priority);
