namespace Autonomy.Server.Governance;

/// <summary>What walking the chain found: intact, or the first entry where it breaks and how.</summary>
public sealed record AuditVerification(bool Intact, long Checked, AuditHead Head, long? BrokenAt = null, string? Problem = null, string? Detail = null)
{
    public const string Edited = "edited";

    public const string Removed = "removed";

    public const string Reordered = "reordered";
}

/// <summary>
/// Walks the log in sequence order and reports the first entry where the chain breaks: a gap in the
/// sequence or a link to an entry that is not the one before it (an entry removed), a link to
/// another entry of the log (entries moved), or a hash that does not match the entry's fields (an
/// entry edited). The server also knows the newest entry it wrote, so entries cut from the end of
/// the log are found too, while it runs.
/// </summary>
public static class AuditVerifier
{
    /// <param name="entries">The log in sequence order, read as it is walked (a log of any length is never held in memory).</param>
    /// <param name="written">The newest entry the server wrote, or null when it is not known.</param>
    /// <param name="seqOfHash">Finds the entry that has a hash, to tell a moved entry from a removed one once the chain breaks.</param>
    public static AuditVerification Verify(IEnumerable<AuditEntry> entries, AuditHead? written, Func<string, long?> seqOfHash)
    {
        var head = AuditHead.Empty;
        long count = 0;
        foreach (var entry in entries)
        {
            count++;
            var expected = head.Seq + 1;
            if (entry.Seq != expected)
            {
                var missing = entry.Seq - 1 == expected ? $"entry {expected} is missing" : $"entries {expected} to {entry.Seq - 1} are missing";
                return Broken(head, expected, AuditVerification.Removed, $"{missing}: the log goes from {head.Seq} to {entry.Seq}");
            }
            if (entry.PrevHash != head.Hash)
            {
                if (seqOfHash(entry.PrevHash) is { } follows && follows != head.Seq)
                {
                    return Broken(head, entry.Seq, AuditVerification.Reordered,
                        $"entry {entry.Seq} was written after entry {follows}, but the log has it after entry {head.Seq}: entries were moved");
                }
                return Broken(head, entry.Seq, AuditVerification.Removed,
                    $"entry {entry.Seq} was written after an entry the log no longer has: an entry before it was removed or replaced");
            }
            if (AuditChain.HashOf(entry) != entry.Hash)
            {
                return Broken(head, entry.Seq, AuditVerification.Edited,
                    $"entry {entry.Seq} was changed after it was written: its fields do not match its hash");
            }
            head = new AuditHead(entry.Seq, entry.Hash);
        }
        if (written is { } known && known.Seq > head.Seq)
        {
            var missing = known.Seq == head.Seq + 1 ? $"entry {known.Seq} is missing" : $"entries {head.Seq + 1} to {known.Seq} are missing";
            return Broken(head, head.Seq + 1, AuditVerification.Removed, $"{missing}: the server wrote up to entry {known.Seq}, the log ends at {head.Seq}");
        }
        if (written is { } last && last.Seq == head.Seq && last.Hash != head.Hash)
        {
            return Broken(head, head.Seq, AuditVerification.Edited, $"entry {head.Seq} is not the entry the server wrote there: it was replaced");
        }
        return new AuditVerification(true, count, head);

        AuditVerification Broken(AuditHead before, long at, string problem, string detail) =>
            new(false, count, before, at, problem, detail);
    }
}
