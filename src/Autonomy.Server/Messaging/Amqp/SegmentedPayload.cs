using System.Buffers;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// Decodes a frame payload that may lie across several pipe segments: as it is when it is one segment (the common
/// case), else from one pooled contiguous copy, since the decoders read spans.
/// </summary>
internal static class SegmentedPayload
{
    public delegate T SpanDecoder<out T>(ReadOnlySpan<byte> payload);

    public static T Decode<T>(in ReadOnlySequence<byte> payload, SpanDecoder<T> decode)
    {
        if (payload.IsSingleSegment)
        {
            return decode(payload.FirstSpan);
        }
        var length = (int)payload.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(rented);
            return decode(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
