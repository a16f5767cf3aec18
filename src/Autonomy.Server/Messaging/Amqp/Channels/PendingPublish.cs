using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// A publish issued to the broker and not yet handled: its outcome (awaited once, by the pump), its confirm sequence
/// number (0 outside confirm mode), and the pooled buffer holding its encoded properties and body, which the broker
/// reads until the outcome completes and a basic.return needs after. <paramref name="Issued"/> is when it was issued
/// (a Stopwatch timestamp), for the confirm latency; 0 outside confirm mode.
/// </summary>
internal readonly record struct PendingPublish(ValueTask<PublishOutcome> Outcome, ulong Sequence, bool Mandatory, string Exchange,
    string RoutingKey, byte[] Buffer, int PropertiesLength, int BodyLength, long Issued = 0)
{
    public ReadOnlyMemory<byte> Properties => Buffer.AsMemory(0, PropertiesLength);

    public ReadOnlyMemory<byte> Body => Buffer.AsMemory(PropertiesLength, BodyLength);

    public int Size => PropertiesLength + BodyLength;
}
