using System.Data.Common;
using System.Security.Cryptography;
using System.Text;

namespace Autonomy.Server.Data;

/// <summary>
/// <c>x-autonomy.database.init</c>: the folder's .sql files, run in name order (ordinal), each once.
/// Each runs in a transaction with the row that records it, in the service's own database, so
/// that a script and its record commit together: a crash leaves it run and recorded, or neither,
/// and a backup carries the record with the data.
/// </summary>
internal static class InitScripts
{
    public const string Table = "autonomy_init_scripts";

    public static IReadOnlyList<string> In(string folder) =>
        [.. Directory.GetFiles(folder, "*.sql").Order(StringComparer.Ordinal)];

    /// <summary>Runs the scripts not run before; returns the names of those it ran.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(DbConnection connection, string folder, Action<string> log, CancellationToken ct)
    {
        var scripts = In(folder);
        if (scripts.Count == 0)
        {
            return [];
        }
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = $"CREATE TABLE IF NOT EXISTS {Table} (name text PRIMARY KEY, sha256 text NOT NULL, applied_at text NOT NULL)";
            await create.ExecuteNonQueryAsync(ct);
        }
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT name, sha256 FROM {Table}";
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                applied[reader.GetString(0)] = reader.GetString(1);
            }
        }
        var ran = new List<string>();
        foreach (var path in scripts)
        {
            var name = Path.GetFileName(path);
            var text = await File.ReadAllTextAsync(path, ct);
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            if (applied.TryGetValue(name, out var before))
            {
                if (before != hash)
                {
                    log($"init script {name} changed since it ran; init scripts run once, so it is not run again");
                }
                continue;
            }
            await using var transaction = await connection.BeginTransactionAsync(ct);
            try
            {
                await using (var run = connection.CreateCommand())
                {
                    run.Transaction = transaction;
                    run.CommandText = text;
                    await run.ExecuteNonQueryAsync(ct);
                }
                await using (var record = connection.CreateCommand())
                {
                    record.Transaction = transaction;
                    record.CommandText = $"INSERT INTO {Table} (name, sha256, applied_at) VALUES (@name, @hash, @at)";
                    Add(record, "name", name);
                    Add(record, "hash", hash);
                    Add(record, "at", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                    await record.ExecuteNonQueryAsync(ct);
                }
                await transaction.CommitAsync(ct);
            }
            catch (DbException e)
            {
                throw new DatabaseException($"the init script {path} failed: {e.Message}", e);
            }
            log($"ran init script {name}");
            ran.Add(name);
        }
        return ran;
    }

    private static void Add(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
