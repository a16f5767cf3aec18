using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Store;

/// <summary>One parameterised statement on a connection the caller holds (inside the store's writer or a transaction).</summary>
internal static class SqliteStatements
{
    public static void Run(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        command.ExecuteNonQuery();
    }
}
