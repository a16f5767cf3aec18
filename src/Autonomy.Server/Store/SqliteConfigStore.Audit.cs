using Autonomy.Server.Governance;
using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Store;

/// <summary>
/// The audit log and other rare writes (tokens made and revoked) go through the same writer as
/// config changes: they join the next group commit, so that auditing adds neither an fsync of its
/// own nor a second writer contending for SQLite's lock, and the writer alone extends the chain.
/// </summary>
public sealed partial class SqliteConfigStore
{
    private ChainEnd _chain;

    /// <summary>The newest entry of the audit log as this store wrote it (or found it on opening).</summary>
    public AuditHead AuditHead
    {
        get
        {
            lock (_gate)
            {
                return new AuditHead(_chain.Seq, Convert.ToHexStringLower(_chain.Hash));
            }
        }
    }

    /// <summary>Appends <paramref name="record"/> to the audit log with the next group commit; durable when the task completes. Returns its seq.</summary>
    public async Task<long> AppendAuditAsync(AuditRecord record, CancellationToken ct = default) =>
        (await WriteAsync(null, record, ct))!.Value;

    /// <summary>
    /// Runs <paramref name="write"/> (statements on the writer's connection) in the next group commit,
    /// with <paramref name="audit"/> appended in the same transaction (its seq is the result). A write
    /// that fails is undone alone (the batch's other writes still commit) and its task fails with the error.
    /// </summary>
    internal Task<long?> WriteAsync(Action<SqliteConnection>? write, AuditRecord? audit, CancellationToken ct = default)
    {
        var work = new StatementWork(write, audit);
        return Enqueue(work, work.Done, ct);
    }

    private Action RunStatement(BatchState staged, StatementWork work)
    {
        if (work.Write is { } write)
        {
            Execute(_writer, "SAVEPOINT statement");
            try
            {
                write(_writer);
                Execute(_writer, "RELEASE statement");
            }
            catch (SqliteException e)
            {
                Execute(_writer, "ROLLBACK TO statement; RELEASE statement");
                return () => work.Done.TrySetException(e);
            }
        }
        long? seq = work.Audit is { } record ? staged.AppendAudit(record, Now()) : null;
        return () => work.Done.TrySetResult(seq);
    }

    private static ChainEnd LoadChainEnd(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
        using var reader = command.ExecuteReader();
        return reader.Read() ? new ChainEnd(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : ChainEnd.Empty;
    }

    /// <summary>The newest entry's seq and hash, as the writer extends the chain from it.</summary>
    private readonly record struct ChainEnd(long Seq, byte[] Hash)
    {
        public static ChainEnd Empty { get; } = new(0, new byte[AuditChain.HashLength]);
    }

    private sealed class StatementWork(Action<SqliteConnection>? write, AuditRecord? audit) : Work
    {
        public Action<SqliteConnection>? Write { get; } = write;

        public AuditRecord? Audit { get; } = audit;

        public TaskCompletionSource<long?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception e) => Done.TrySetException(e);
    }
}
