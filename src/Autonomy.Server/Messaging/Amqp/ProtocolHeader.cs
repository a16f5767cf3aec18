using System.Buffers;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// The eight octets a client opens with, "AMQP" 0 0 9 1. A server that receives anything else answers with its own
/// header, telling the client the protocol it speaks, and closes the socket.
/// </summary>
internal static class ProtocolHeader
{
    public static ReadOnlySpan<byte> Bytes => "AMQP\0\0\u0009\u0001"u8;

    /// <summary>
    /// False while fewer than eight octets have arrived and all of them agree with the header (a client may send
    /// it in pieces). True once decided: <paramref name="accepted"/> says whether it was the header, and
    /// <paramref name="buffer"/> moves past it when it was.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out bool accepted)
    {
        accepted = false;
        var length = (int)Math.Min(buffer.Length, Bytes.Length);
        Span<byte> received = stackalloc byte[8];
        buffer.Slice(0, length).CopyTo(received);
        if (!received[..length].SequenceEqual(Bytes[..length]))
        {
            return true;
        }
        if (length < Bytes.Length)
        {
            return false;
        }
        accepted = true;
        buffer = buffer.Slice(Bytes.Length);
        return true;
    }

    /// <summary>The server's own header, sent before closing on a client that opened with anything else.</summary>
    public static void Write(IBufferWriter<byte> destination)
    {
        Bytes.CopyTo(destination.GetSpan(Bytes.Length));
        destination.Advance(Bytes.Length);
    }
}
