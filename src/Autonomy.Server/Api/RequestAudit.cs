using Autonomy.Server.Governance;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// The audit entry of one write call, made when the call is let through and written when it
/// succeeds, before its answer is sent. A handler whose store write can carry the entry claims it,
/// so that the write and its entry commit together (one transaction, one fsync); otherwise it is
/// written on its own, with the next group commit.
/// </summary>
internal sealed class RequestAudit(AuditRecord record)
{
    private const string Item = "autonomy.audit";

    public AuditRecord Record { get; } = record;

    public bool Claimed { get; private set; }

    public static void Begin(HttpContext context, AuditRecord record) => context.Items[Item] = new RequestAudit(record);

    /// <summary>
    /// The entry for a store write to commit with itself (null for a call that is not audited), its
    /// target replaced when <paramref name="target"/> is given; the call's own entry is then not written again.
    /// </summary>
    public static AuditRecord? Claim(HttpContext context, string? target = null)
    {
        if (context.Items[Item] is not RequestAudit audit)
        {
            return null;
        }
        audit.Claimed = true;
        return target is null ? audit.Record : audit.Record with { Target = target };
    }

    public static RequestAudit? Of(HttpContext context) => context.Items[Item] as RequestAudit;
}
