using Autonomy.Server.Store;
using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Governance;

/// <summary>
/// The audit log: every write through the API and every refused call, append-only and chained
/// (see <see cref="AuditChain"/>). Entries are written by the store's writer with its group
/// commits; reading and verifying use a connection of their own, so they never hold up a write.
/// </summary>
internal sealed class AuditLog(SqliteConfigStore store)
{
    /// <summary>Appends <paramref name="record"/>; durable when the task completes.</summary>
    public Task<long> RecordAsync(AuditRecord record, CancellationToken ct = default) => store.AppendAuditAsync(record, ct);

    /// <summary>The newest <paramref name="limit"/> entries written at or after <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<AuditEntry> Read(DateTimeOffset? since, int limit)
    {
        using var connection = store.OpenReader();
        var from = since is { } time ? FirstAtOrAfter(connection, time.ToUnixTimeMilliseconds()) : 0;
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, time, actor, action, target, outcome, prev_hash, hash FROM audit
            WHERE seq >= $from AND time >= $since ORDER BY seq DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$since", since?.ToUnixTimeMilliseconds() ?? long.MinValue);
        command.Parameters.AddWithValue("$limit", limit);
        var entries = ReadAll(command);
        entries.Reverse();
        return entries;
    }

    /// <summary>
    /// The first seq written at or after <paramref name="time"/>: entries are written in time order,
    /// so a binary search over seq finds it with a few lookups, where a scan would read the whole log.
    /// </summary>
    private static long FirstAtOrAfter(SqliteConnection connection, long time)
    {
        using var next = connection.CreateCommand();
        next.CommandText = "SELECT time FROM audit WHERE seq >= $seq ORDER BY seq LIMIT 1";
        var seq = next.Parameters.Add("$seq", SqliteType.Integer);
        using var last = connection.CreateCommand();
        last.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM audit";
        var (low, high) = (0L, (long)last.ExecuteScalar()! + 1);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            seq.Value = middle;
            if (next.ExecuteScalar() is long at && at < time)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    /// <summary>Walks the whole chain as the database has it now, against the newest entry this server wrote.</summary>
    public AuditVerification Verify()
    {
        // The head first: entries written while the log is read are then only more than it expects.
        var written = store.AuditHead;
        using var connection = store.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, time, actor, action, target, outcome, prev_hash, hash FROM audit ORDER BY seq";
        return AuditVerifier.Verify(Stream(command), written, hash =>
        {
            using var find = connection.CreateCommand();
            find.CommandText = "SELECT seq FROM audit WHERE hash = $hash LIMIT 1";
            find.Parameters.AddWithValue("$hash", hash.Length == 2 * AuditChain.HashLength && hash.All(char.IsAsciiHexDigit) ? Convert.FromHexString(hash) : hash);
            return find.ExecuteScalar() as long?;
        });
    }

    private static List<AuditEntry> ReadAll(SqliteCommand command) => [.. Stream(command)];

    // A hash is 32 bytes; a row someone changed may hold anything, which is shown as it is.
    private static string Hex(SqliteDataReader reader, int column) =>
        reader.GetFieldType(column) == typeof(byte[]) ? Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(column)) : reader.GetValue(column).ToString() ?? "";

    private static IEnumerable<AuditEntry> Stream(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new AuditEntry(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetString(5), Hex(reader, 6), Hex(reader, 7));
        }
    }
}
