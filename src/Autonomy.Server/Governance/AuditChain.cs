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
/// different entries never encode alike.
/// </summary>
public static class AuditChain
{
    public static readonly string Genesis = new('0', 64);

    /// <summary>The entry that follows <paramref name="head"/>.</summary>
    public static AuditEntry Next(AuditHead head, AuditRecord record, DateTimeOffset time)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
        var seq = head.Seq + 1;
        return new AuditEntry(seq, at, record.Actor, record.Action, record.Target, record.Outcome, head.Hash,
            HashOf(head.Hash, seq, at, record.Actor, record.Action, record.Target, record.Outcome));
    }

    /// <summary>The hash <paramref name="entry"/> must have, from its own fields and the previous hash it records.</summary>
    public static string HashOf(AuditEntry entry) =>
        HashOf(entry.PrevHash, entry.Seq, entry.Time, entry.Actor, entry.Action, entry.Target, entry.Outcome);

    private static string HashOf(string prevHash, long seq, DateTimeOffset time, string actor, string action, string target, string outcome)
    {
        string[] fields = [actor, action, target, outcome];
        var length = 32 + 8 + 8 + fields.Sum(f => 4 + Encoding.UTF8.GetByteCount(f));
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = buffer.AsSpan(0, length);
            if (prevHash.Length != 64 || Convert.FromHexString(prevHash, span[..32], out _, out var written) != OperationStatus.Done || written != 32)
            {
                // A previous hash that is not one (a damaged row) still hashes, to something no real entry has.
                span[..32].Clear();
                SHA256.HashData(Encoding.UTF8.GetBytes(prevHash), span[..32]);
            }
            BinaryPrimitives.WriteInt64BigEndian(span[32..], seq);
            BinaryPrimitives.WriteInt64BigEndian(span[40..], time.ToUnixTimeMilliseconds());
            var at = 48;
            foreach (var field in fields)
            {
                var count = Encoding.UTF8.GetBytes(field, span[(at + 4)..]);
                BinaryPrimitives.WriteInt32BigEndian(span[at..], count);
                at += 4 + count;
            }
            return Convert.ToHexStringLower(SHA256.HashData(span));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
