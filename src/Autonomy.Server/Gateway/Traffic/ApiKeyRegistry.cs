using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Autonomy.Server.Governance;
using Autonomy.Server.Store;
using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Gateway.Traffic;

/// <summary>
/// The API keys the gateway accepts, by the SHA-256 of the key: a request's key is found with one
/// lookup and no read of the store. Making and revoking a key commit to the store (with their audit
/// entry) before they take effect; quota use is written ahead in blocks (see <see cref="QuotaCounter"/>).
/// </summary>
internal sealed class ApiKeyRegistry
{
    private const string KeyPrefix = "ak_";
    private const string IdPrefix = "key_";

    private readonly ConcurrentDictionary<TokenHash, ApiKey> _byHash = new();
    private readonly ConcurrentDictionary<string, ApiKey> _byId = new(StringComparer.Ordinal);
    private readonly SqliteConfigStore _store;
    private readonly TimeProvider _time;

    private ApiKeyRegistry(SqliteConfigStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Makes the tables if needed and loads every key with its use of the current period.</summary>
    public static async Task<ApiKeyRegistry> OpenAsync(SqliteConfigStore store, TimeProvider time, CancellationToken ct)
    {
        await store.WriteAsync(connection => Run(connection, TrafficSchema.Create), null, ct);
        var registry = new ApiKeyRegistry(store, time);
        registry.Load();
        return registry;
    }

    private void Load()
    {
        using var connection = _store.OpenReader();
        var usage = new Dictionary<(string, string), long>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT key_id, period, reserved FROM api_key_usage";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                usage[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, hash, name, routes, quota, quota_period, created, revoked FROM api_keys";
            using var reader = command.ExecuteReader();
            var now = Now;
            while (reader.Read())
            {
                var id = reader.GetString(0);
                KeyQuota? quota = reader.IsDBNull(4) ? null : new KeyQuota(reader.GetInt64(4), reader.GetString(5) == "month" ? QuotaPeriod.Month : QuotaPeriod.Day);
                var key = New(id, JsonSerializer.Deserialize<string[]>(reader.GetString(3)) ?? [], quota, reader.IsDBNull(2) ? null : reader.GetString(2),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)));
                key.Revoked = reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7));
                if (quota is not null)
                {
                    var period = quota.PeriodOf(now);
                    key.Quota!.Restore(period, usage.GetValueOrDefault((id, period)));
                }
                _byHash[TokenHash.FromHex(reader.GetString(1))] = key;
                _byId[id] = key;
            }
        }
    }

    /// <summary>The key a request carries, or null when no key of this project has that value.</summary>
    public ApiKey? Find(ReadOnlySpan<char> presented) =>
        TokenHash.TryCompute(presented, out var hash) && _byHash.TryGetValue(hash, out var key) ? key : null;

    public ApiKey? ById(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Every key, newest first.</summary>
    public IReadOnlyList<ApiKey> All() => [.. _byId.Values.OrderByDescending(k => k.Created).ThenBy(k => k.Id, StringComparer.Ordinal)];

    /// <summary>
    /// Makes a key for <paramref name="routes"/>, durable (with the audit entry <paramref name="audit"/> makes
    /// from the new id) before it is returned: the key itself exists only in the answer.
    /// </summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(string? name, IReadOnlyList<string> routes, KeyQuota? quota,
        Func<string, AuditRecord?> audit, CancellationToken ct)
    {
        var secret = KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var id = IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var created = DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds());
        var key = New(id, routes, quota, name, created);
        if (quota is not null)
        {
            key.Quota!.Restore(quota.PeriodOf(created), 0);
        }
        var hash = TokenHash.Of(secret);
        await _store.WriteAsync(connection => Run(connection,
            "INSERT INTO api_keys(id, hash, name, routes, quota, quota_period, created) VALUES ($id, $hash, $name, $routes, $quota, $period, $created)",
            ("$id", id), ("$hash", hash.ToHex()), ("$name", name), ("$routes", JsonSerializer.Serialize(routes)), ("$quota", quota?.Limit),
            ("$period", quota is null ? null : quota.Period == QuotaPeriod.Month ? "month" : "day"), ("$created", created.ToUnixTimeMilliseconds())),
            audit(id), ct);
        _byHash[hash] = key;
        _byId[id] = key;
        return (key, secret);
    }

    /// <summary>Revokes a key (durably, with <paramref name="audit"/>); from then on the gateway refuses it. Revoking it again changes nothing.</summary>
    public async Task RevokeAsync(ApiKey key, AuditRecord? audit, CancellationToken ct)
    {
        var at = key.Revoked ?? DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds());
        await _store.WriteAsync(connection => Run(connection, "UPDATE api_keys SET revoked = $at WHERE id = $id AND revoked IS NULL",
            ("$at", at.ToUnixTimeMilliseconds()), ("$id", key.Id)), audit, ct);
        key.Revoked = at;
    }

    private ApiKey New(string id, IReadOnlyList<string> routes, KeyQuota? quota, string? name, DateTimeOffset created) =>
        new(id, routes, quota is null ? null : new QuotaCounter(quota, (period, reserved) => ReserveAsync(id, period, reserved)))
        {
            Name = name,
            Created = created,
        };

    // Never lowers a figure: a reservation that lands after a later one leaves the later one standing.
    private Task ReserveAsync(string id, string period, long reserved) => _store.WriteAsync(connection => Run(connection, """
        INSERT INTO api_key_usage(key_id, period, reserved) VALUES ($id, $period, $reserved)
        ON CONFLICT(key_id, period) DO UPDATE SET reserved = MAX(reserved, excluded.reserved)
        """, ("$id", id), ("$period", period), ("$reserved", reserved)), null);

    // URL-safe, unpadded: a key or token that survives shells, URLs and headers as it is.
    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static void Run(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        Store.SqliteStatements.Run(connection, sql, parameters);
}
