using System.Buffers.Binary;
using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Tests.Messaging.Storage;

/// <summary>Payloads that say who they are, and a log opened with every replayed record kept for assertions.</summary>
internal static class LogTesting
{
    /// <summary>A payload of <paramref name="length"/> bytes (at least 8) starting with its id, the rest derived from the id.</summary>
    public static byte[] Payload(long id, int length = 100)
    {
        var bytes = new byte[Math.Max(8, length)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, id);
        new Random(unchecked((int)id)).NextBytes(bytes.AsSpan(8));
        return bytes;
    }

    public static long IdOf(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadInt64LittleEndian(payload);

    public static async Task<(MessageLog Log, List<Replayed> Records)> OpenAsync(
        string directory, ILogFileSystem files, long segmentBytes = 64L << 20)
    {
        var records = new List<Replayed>();
        var log = await MessageLog.OpenAsync(directory, files, new MessageLogOptions { SegmentBytes = segmentBytes },
            (position, payload) => records.Add(new Replayed(position, payload.ToArray())));
        return (log, records);
    }

    public sealed record Replayed(LogPosition Position, byte[] Payload)
    {
        public long Id => IdOf(Payload);
    }
}
