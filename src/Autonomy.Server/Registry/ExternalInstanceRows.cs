using System.Text.Json;
using Autonomy.Server.Store;

namespace Autonomy.Server.Registry;

/// <summary>
/// External registrations in the store's database, so that an instance that keeps heartbeating is still registered
/// after the server restarts. Only registrations are kept, never heartbeats: a heartbeat changes nothing on disk.
/// </summary>
internal sealed class ExternalInstanceRows(SqliteConfigStore store)
{
    private const string Create = """
        CREATE TABLE IF NOT EXISTS registry_external(
            service TEXT NOT NULL,
            id TEXT NOT NULL,
            address TEXT NOT NULL,
            port INTEGER NOT NULL,
            ttl_ms INTEGER NOT NULL,
            deregister_ms INTEGER NOT NULL,
            version TEXT NOT NULL,
            metadata TEXT NOT NULL,
            registered_by TEXT NOT NULL,
            PRIMARY KEY(service, id)) WITHOUT ROWID;
        """;

    /// <summary>Makes the table if this store has none yet, then reads every registration it holds.</summary>
    public async Task<IReadOnlyList<ExternalRegistration>> OpenAsync(CancellationToken ct)
    {
        await store.WriteAsync(c => SqliteConfigStore.Execute(c, Create), null, ct);
        var found = new List<ExternalRegistration>();
        using var connection = store.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT service, id, address, port, ttl_ms, deregister_ms, version, metadata, registered_by FROM registry_external";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            found.Add(new ExternalRegistration
            {
                Service = reader.GetString(0),
                Id = reader.GetString(1),
                Address = reader.GetString(2),
                Port = reader.GetInt32(3),
                Ttl = TimeSpan.FromMilliseconds(reader.GetInt64(4)),
                DeregisterAfter = TimeSpan.FromMilliseconds(reader.GetInt64(5)),
                Version = reader.GetString(6),
                Metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(7)) ?? [],
                RegisteredBy = reader.GetString(8),
            });
        }
        return found;
    }

    /// <summary>
    /// Writes what <paramref name="current"/> says a registration is when the writer gets to it (null: gone), with
    /// <paramref name="audit"/> in the same transaction; durable when the task completes. Reading the state at write
    /// time keeps the row right whatever order concurrent registrations and removals were queued in.
    /// </summary>
    public Task SaveAsync(string service, string id, Func<ExternalRegistration?> current, Governance.AuditRecord? audit, CancellationToken ct) =>
        store.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.Parameters.AddWithValue("$service", service);
            command.Parameters.AddWithValue("$id", id);
            if (current() is not { } registration)
            {
                command.CommandText = "DELETE FROM registry_external WHERE service = $service AND id = $id";
                command.ExecuteNonQuery();
                return;
            }
            command.CommandText = """
                INSERT OR REPLACE INTO registry_external(service, id, address, port, ttl_ms, deregister_ms, version, metadata, registered_by)
                VALUES ($service, $id, $address, $port, $ttl, $deregister, $version, $metadata, $by)
                """;
            command.Parameters.AddWithValue("$address", registration.Address);
            command.Parameters.AddWithValue("$port", registration.Port);
            command.Parameters.AddWithValue("$ttl", (long)registration.Ttl.TotalMilliseconds);
            command.Parameters.AddWithValue("$deregister", (long)registration.DeregisterAfter.TotalMilliseconds);
            command.Parameters.AddWithValue("$version", registration.Version);
            command.Parameters.AddWithValue("$metadata", JsonSerializer.Serialize(registration.Metadata));
            command.Parameters.AddWithValue("$by", registration.RegisteredBy);
            command.ExecuteNonQuery();
        }, audit, ct);
}
