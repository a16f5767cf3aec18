using Autonomy.Server.Governance;

namespace Autonomy.Tests.Governance;

/// <summary>The chain's hashes and its verification, on entries in memory (the store-file cases are in AuditVerificationTests).</summary>
public sealed class AuditChainTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 31, 8, 0, 0, TimeSpan.Zero);

    private static List<AuditEntry> Chain(int count)
    {
        var entries = new List<AuditEntry>();
        var head = AuditHead.Empty;
        for (var i = 0; i < count; i++)
        {
            var entry = AuditChain.Next(head, new AuditRecord("admin", $"PUT /v1/config/web/keys/K{i}", "config:write:web", AuditRecord.Ok), Start.AddSeconds(i));
            entries.Add(entry);
            head = new AuditHead(entry.Seq, entry.Hash);
        }
        return entries;
    }

    private static AuditVerification Verify(List<AuditEntry> log, AuditHead? written) =>
        AuditVerifier.Verify(log, written, hash => log.FirstOrDefault(e => e.Hash == hash)?.Seq);

    [Fact]
    public void EachEntryIsChainedToTheOneBefore()
    {
        var chain = Chain(3);
        Assert.Equal([1L, 2L, 3L], chain.Select(e => e.Seq));
        Assert.Equal(AuditChain.Genesis, chain[0].PrevHash);
        Assert.Equal(chain[0].Hash, chain[1].PrevHash);
        Assert.Equal(chain[1].Hash, chain[2].PrevHash);
        Assert.Equal(64, chain[0].Hash.Length);
        var verification = Verify(chain, new AuditHead(3, chain[2].Hash));
        Assert.True(verification.Intact);
        Assert.Equal((3L, 3L), (verification.Checked, verification.Head.Seq));
    }

    [Fact]
    public void FieldsCannotBeShiftedFromOneToAnother()
    {
        // Lengths are part of the encoding: "ab"+"c" and "a"+"bc" hash apart.
        var one = AuditChain.Next(AuditHead.Empty, new AuditRecord("ab", "c", "t", "ok"), Start);
        var two = AuditChain.Next(AuditHead.Empty, new AuditRecord("a", "bc", "t", "ok"), Start);
        Assert.NotEqual(one.Hash, two.Hash);
    }

    [Fact]
    public void AnEditedEntryIsFoundWhereItWasEdited()
    {
        var chain = Chain(5);
        chain[2] = chain[2] with { Actor = "someone else" };
        var verification = Verify(chain, null);
        Assert.Equal((false, 3L, AuditVerification.Edited), (verification.Intact, verification.BrokenAt, verification.Problem));
    }

    [Fact]
    public void AnEntryWhoseHashWasAlsoRewrittenBreaksTheLinkOfTheNext()
    {
        var chain = Chain(5);
        var edited = chain[2] with { Outcome = "403" };
        chain[2] = edited with { Hash = AuditChain.HashOf(edited) };
        var verification = Verify(chain, null);
        Assert.Equal((false, 4L, AuditVerification.Removed), (verification.Intact, verification.BrokenAt, verification.Problem));
    }

    [Fact]
    public void ARemovedEntryIsAGap()
    {
        var chain = Chain(5);
        chain.RemoveAt(1);
        var verification = Verify(chain, null);
        Assert.Equal((false, 2L, AuditVerification.Removed), (verification.Intact, verification.BrokenAt, verification.Problem));
        Assert.Equal("entry 2 is missing: the log goes from 1 to 3", verification.Detail);
    }

    [Fact]
    public void SwappedEntriesAreReordered()
    {
        var chain = Chain(5);
        (chain[1], chain[2]) = (chain[2] with { Seq = 2 }, chain[1] with { Seq = 3 });
        var verification = Verify(chain, null);
        Assert.Equal((false, 2L, AuditVerification.Reordered), (verification.Intact, verification.BrokenAt, verification.Problem));
    }

    [Fact]
    public void TheFirstEntriesRemovedAndTheLastOnesCutAreFound()
    {
        var chain = Chain(5);
        var headless = Verify(chain.Skip(2).ToList(), null);
        Assert.Equal((false, 1L, AuditVerification.Removed), (headless.Intact, headless.BrokenAt, headless.Problem));
        var cut = Verify(chain.Take(3).ToList(), new AuditHead(5, chain[4].Hash));
        Assert.Equal((false, 4L, AuditVerification.Removed), (cut.Intact, cut.BrokenAt, cut.Problem));
        Assert.Equal("entries 4 to 5 are missing: the server wrote up to entry 5, the log ends at 3", cut.Detail);
    }
}
