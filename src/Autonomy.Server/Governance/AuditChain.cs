using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Autonomy.Server.Governance;

/// <summary>
/// How entries are chained: an entry's hash is SHA-256 over the previous entry's hash (32 zero
/// bytes before the first) and the entry's canonical encoding: its sequence and time (Unix
/// milliseconds) as 8-byte big-endian integers, then actor, action, target and outcome, each as a
/// 4-byte big-endian length and its UTF-8 bytes. Lengths make the encoding unambiguous, so two
/// different entries never encode alike. Hashes are kept as 32 bytes and shown as lower-case hex.
/// </summary>
public static class AuditChain
{
    public const int HashLength = 32;

    public static readonly string Genesis = new('0', 2 * HashLength);

    /// <summary>The hash of the entry at <paramref name="seq"/> that follows the entry whose hash is <paramref name="previous"/>.</summary>
    public static byte[] Link(ReadOnlySpan<byte> previous, long seq, long timeMs, AuditRecord record)
    {
        var actor = Encoding.UTF8.GetByteCount(record.Actor);
        var action = Encoding.UTF8.GetByteCount(record.Action);
        var target = Encoding.UTF8.GetByteCount(record.Target);
        var outcome = Encoding.UTF8.GetByteCount(record.Outcome);
        var length = HashLength + 8 + 8 + 16 + actor + action + target + outcome;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = buffer.AsSpan(0, length);
            previous.CopyTo(span);
            BinaryPrimitives.WriteInt64BigEndian(span[HashLength..], seq);
            BinaryPrimitives.WriteInt64BigEndian(span[(HashLength + 8)..], timeMs);
            var at = HashLength + 16;
            at = Field(span, at, record.Actor, actor);
            at = Field(span, at, record.Action, action);
            at = Field(span, at, record.Target, target);
            Field(span, at, record.Outcome, outcome);
            return SHA256.HashData(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The entry that follows <paramref name="head"/>, for chains built in memory.</summary>
    public static AuditEntry Next(AuditHead head, AuditRecord record, DateTimeOffset time)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
        var seq = head.Seq + 1;
        var hash = Link(Convert.FromHexString(head.Hash), seq, at.ToUnixTimeMilliseconds(), record);
        return new AuditEntry(seq, at, record.Actor, record.Action, record.Target, record.Outcome, head.Hash, Convert.ToHexStringLower(hash));
    }

    /// <summary>The hash <paramref name="entry"/> must have, from its own fields and the previous hash it records.</summary>
    public static string HashOf(AuditEntry entry)
    {
        // A previous hash that is not one (a damaged row) still hashes, to something no real entry has.
        var previous = entry.PrevHash.Length == 2 * HashLength && entry.PrevHash.All(char.IsAsciiHexDigit)
            ? Convert.FromHexString(entry.PrevHash)
            : SHA256.HashData(Encoding.UTF8.GetBytes(entry.PrevHash));
        return Convert.ToHexStringLower(Link(previous, entry.Seq, entry.Time.ToUnixTimeMilliseconds(),
            new AuditRecord(entry.Actor, entry.Action, entry.Target, entry.Outcome)));
    }

    private static int Field(Span<byte> span, int at, string text, int count)
    {
        BinaryPrimitives.WriteInt32BigEndian(span[at..], count);
        Encoding.UTF8.GetBytes(text, span[(at + 4)..]);
        return at + 4 + count;
    }
}
