using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Store;

/// <summary>
/// The writer's statements, prepared once and reused for every write: parsing SQL per row would
/// cost more than the row itself when many writes share one commit.
/// </summary>
internal sealed class WriterCommands : IDisposable
{
    private readonly SqliteCommand _version;
    private readonly SqliteCommand _audit;

    public WriterCommands(SqliteConnection connection)
    {
        _version = Prepare(connection, """
            INSERT INTO versions(ns, key, revision, value, content_type, create_revision, version, time, author)
            VALUES ($ns, $key, $revision, $value, $type, $created, $version, $time, $author)
            """, "$ns", "$key", "$revision", "$value", "$type", "$created", "$version", "$time", "$author");
        _audit = Prepare(connection, """
            INSERT INTO audit(seq, time, actor, action, target, outcome, prev_hash, hash)
            VALUES ($seq, $time, $actor, $action, $target, $outcome, $prev, $hash)
            """, "$seq", "$time", "$actor", "$action", "$target", "$outcome", "$prev", "$hash");
    }

    /// <summary>Makes every statement part of the batch's transaction.</summary>
    public void Enlist(SqliteTransaction transaction)
    {
        _version.Transaction = transaction;
        _audit.Transaction = transaction;
    }

    public void InsertVersion(string ns, string key, long revision, string? value, string contentType, long createRevision, long version, DateTimeOffset time, string author) =>
        Run(_version, ns, key, revision, (object?)value ?? DBNull.Value, contentType, createRevision, version, time.ToUnixTimeMilliseconds(), author);

    public void InsertAudit(long seq, long timeMs, Governance.AuditRecord record, byte[] previous, byte[] hash) =>
        Run(_audit, seq, timeMs, record.Actor, record.Action, record.Target, record.Outcome, previous, hash);

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    private static void Run(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _version.Dispose();
        _audit.Dispose();
    }
}
