using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Store;

/// <summary>
/// The writer's statements, prepared once and reused for every write: parsing SQL per row would
/// cost more than the row itself when many writes share one commit.
/// </summary>
internal sealed class WriterCommands : IDisposable
{
    private readonly SqliteCommand _revision;
    private readonly SqliteCommand _version;

    public WriterCommands(SqliteConnection connection)
    {
        _revision = Prepare(connection, "INSERT INTO revisions(revision, time, author) VALUES ($revision, $time, $author)", "$revision", "$time", "$author");
        _version = Prepare(connection, """
            INSERT INTO versions(ns, key, revision, value, content_type, create_revision, version)
            VALUES ($ns, $key, $revision, $value, $type, $created, $version)
            """, "$ns", "$key", "$revision", "$value", "$type", "$created", "$version");
    }

    /// <summary>Makes every statement part of the batch's transaction.</summary>
    public void Enlist(SqliteTransaction transaction)
    {
        _revision.Transaction = transaction;
        _version.Transaction = transaction;
    }

    public void InsertRevision(long revision, DateTimeOffset time, string author) =>
        Run(_revision, revision, time.ToUnixTimeMilliseconds(), author);

    public void InsertVersion(string ns, string key, long revision, string? value, string contentType, long createRevision, long version) =>
        Run(_version, ns, key, revision, (object?)value ?? DBNull.Value, contentType, createRevision, version);

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
        _revision.Dispose();
        _version.Dispose();
    }
}
