using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// A publish issued to the broker and not yet handled: its outcome (awaited once, by the pump), its confirm sequence
/// number (0 outside confirm mode), and the pooled buffer holding its encoded properties and body, which the broker
/// reads until the outcome completes and a basic.return needs after.
/// </summary>
internal readonly record struct PendingPublish(ValueTask<PublishOutcome> Outcome, ulong Sequence, bool Mandatory, string Exchange,
    string RoutingKey, byte[] Buffer, int PropertiesLength, int BodyLength)
{
    public ReadOnlyMemory<byte> Properties => Buffer.AsMemory(0, PropertiesLength);

    public ReadOnlyMemory<byte> Body => Buffer.AsMemory(PropertiesLength, BodyLength);

    public int Size => PropertiesLength + BodyLength;
}
