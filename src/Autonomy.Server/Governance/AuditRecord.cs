namespace Autonomy.Server.Governance;

/// <summary>
/// What happened, before it is in the log: who (a token id, <c>admin</c>, or <c>service/replica</c>),
/// what (the method and path, or a named action), on what, and how it ended (<c>ok</c>, <c>401</c>,
/// <c>403</c>). Never a value, a secret or a token.
/// </summary>
public sealed record AuditRecord(string Actor, string Action, string Target, string Outcome)
{
    public const string Ok = "ok";
}

/// <summary>An entry of the log: its place in the chain, when it was written, and the hashes that chain it.</summary>
public sealed record AuditEntry(long Seq, DateTimeOffset Time, string Actor, string Action, string Target, string Outcome, string PrevHash, string Hash);

/// <summary>The newest entry of the chain (sequence 0 and <see cref="AuditChain.Genesis"/> before the first).</summary>
public readonly record struct AuditHead(long Seq, string Hash)
{
    public static AuditHead Empty { get; } = new(0, AuditChain.Genesis);
}
