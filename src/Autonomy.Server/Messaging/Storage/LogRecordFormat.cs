using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;

namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// The bytes of the log. A segment starts with a 32-byte header (magic, format version, its own number, CRC32C of
/// those), so that a stray or renamed file is refused instead of being read as records. Then records, little endian:
/// <c>[u32 payload length][u32 CRC32C of refersTo and payload][i64 refersTo or -1][payload]</c>. A record never
/// spans segments.
/// </summary>
internal static class LogRecordFormat
{
    public const int SegmentHeaderBytes = 32;
    public const int RecordHeaderBytes = 16;
    public const uint Version = 1;
    public const long NoReference = -1;

    /// <summary>RabbitMQ's default limit for a message; a corrupt length field beyond it is recognised as such.</summary>
    public const int MaxPayloadBytes = 128 << 20;

    public const string FileExtension = ".seg";

    private const int FileNameDigits = 20;

    private static ReadOnlySpan<byte> Magic => "AUTMQLOG"u8;

    public static string FileName(long segment) => segment.ToString("D20", CultureInfo.InvariantCulture) + FileExtension;

    public static bool TryParseFileName(string name, out long segment)
    {
        segment = 0;
        return name.Length == FileNameDigits + FileExtension.Length
            && name.EndsWith(FileExtension, StringComparison.Ordinal)
            && name.AsSpan(0, FileNameDigits).IndexOfAnyExceptInRange('0', '9') < 0
            && long.TryParse(name.AsSpan(0, FileNameDigits), NumberStyles.None, CultureInfo.InvariantCulture, out segment)
            && segment > 0;
    }

    public static void WriteSegmentHeader(Span<byte> destination, long segment)
    {
        destination[..SegmentHeaderBytes].Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], segment);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], Checksum(destination[..24]));
    }

    /// <summary>Null when the header is that of segment <paramref name="segment"/>; otherwise what is wrong with it.</summary>
    public static string? CheckSegmentHeader(ReadOnlySpan<byte> header, long segment)
    {
        if (header.Length < SegmentHeaderBytes || !header[..8].SequenceEqual(Magic))
        {
            return "it is not a message log segment (no segment header)";
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[24..]) != Checksum(header[..24]))
        {
            return "its segment header is corrupt (checksum mismatch)";
        }
        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != Version)
        {
            return $"it is in log format version {version}, and this version of Autonomy reads version {Version}";
        }
        var number = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        return number == segment ? null : $"its header says it is segment {number}: it was renamed or copied";
    }

    public static int RecordBytes(int payloadLength) => RecordHeaderBytes + payloadLength;

    public static uint Checksum(long refersTo, ReadOnlySpan<byte> payload) =>
        ~Crc32C(BitOperations.Crc32C(~0u, (ulong)refersTo), payload);

    /// <summary>Frames a record into <paramref name="destination"/>, which holds <see cref="RecordBytes"/> bytes.</summary>
    public static void WriteRecord(Span<byte> destination, ReadOnlySpan<byte> payload, long refersTo, uint checksum)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], checksum);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], refersTo);
        payload.CopyTo(destination[RecordHeaderBytes..]);
    }

    /// <summary>The payload length a record header announces, or -1 when no valid record could start with it.</summary>
    public static int PayloadLength(ReadOnlySpan<byte> header)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        return length <= MaxPayloadBytes ? (int)length : -1;
    }

    public static long RefersTo(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt64LittleEndian(header[8..]);

    /// <summary>Whether a whole record (header and payload) has the checksum its header carries.</summary>
    public static bool IsIntact(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload) =>
        BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == Checksum(RefersTo(header), payload);

    private static uint Checksum(ReadOnlySpan<byte> data) => ~Crc32C(~0u, data);

    private static uint Crc32C(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }
        if (data.Length >= sizeof(uint))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[sizeof(uint)..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return crc;
    }
}
