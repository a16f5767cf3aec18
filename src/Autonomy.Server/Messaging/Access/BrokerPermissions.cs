using System.Collections.Concurrent;
using Autonomy.Server.Governance;
using Autonomy.Server.Store;
using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Messaging.Access;

/// <summary>
/// What each broker user may do in each vhost, as RabbitMQ's permissions: three patterns of exchange and
/// queue names per (user, vhost), for configure, write and read. A service's user has <c>.*</c> on its own
/// vhost (and what its <c>x-autonomy.grants</c> give it elsewhere), in memory; what an admin sets is kept in
/// the store and adds to that. <see cref="Check"/> is what the HTTP API (and the AMQP layer) ask.
/// </summary>
public sealed class BrokerPermissions
{
    private readonly ConcurrentDictionary<(string User, string Vhost), VhostPermission> _stored = new();
    private readonly ConcurrentDictionary<(string User, string Vhost), VhostPermission> _implicit = new();
    private SqliteConfigStore? _store;

    internal event Action? Changed;

    internal void Load(SqliteConfigStore store)
    {
        _store = store;
        using var connection = store.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user, vhost, configure, write, read FROM mq_permissions";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var permission = new VhostPermission(reader.GetString(0), reader.GetString(1),
                Pattern(reader.GetString(2)), Pattern(reader.GetString(3)), Pattern(reader.GetString(4)));
            _stored[(permission.User, permission.Vhost)] = permission;
        }

        // A pattern that no longer compiles (a store edited by hand) allows nothing rather than stopping the server.
        static PermissionPattern Pattern(string text) => PermissionPattern.TryParse(text, out var pattern, out _) ? pattern : PermissionPattern.None;
    }

    /// <summary>Whether <paramref name="user"/> may do <paramref name="operation"/> to the exchange or queue <paramref name="resource"/> of <paramref name="vhost"/>.</summary>
    public bool Check(string user, string vhost, Operation operation, string resource) =>
        Of(user, vhost) is { } permission && permission.Allows(operation, resource);

    /// <summary>The user's permission in the vhost (what the server gives and what an admin set, together), or null when it has none there.</summary>
    public VhostPermission? Of(string user, string vhost)
    {
        _implicit.TryGetValue((user, vhost), out var given);
        _stored.TryGetValue((user, vhost), out var set);
        return (given, set) switch
        {
            (null, _) => set,
            (_, null) => given,
            _ => given.Widen(set),
        };
    }

    /// <summary>Every vhost the user has a permission in.</summary>
    public IReadOnlyList<VhostPermission> ForUser(string user) =>
        [.. _implicit.Keys.Concat(_stored.Keys).Where(k => k.User == user).Select(k => k.Vhost).Distinct().Order(StringComparer.Ordinal).Select(v => Of(user, v)!)];

    /// <summary>Every user with a permission in the vhost.</summary>
    public IReadOnlyList<VhostPermission> ForVhost(string vhost) =>
        [.. _implicit.Keys.Concat(_stored.Keys).Where(k => k.Vhost == vhost).Select(k => k.User).Distinct().Order(StringComparer.Ordinal).Select(u => Of(u, vhost)!)];

    /// <summary>What an admin set for the user in the vhost (not what the server gives a service), or null.</summary>
    public VhostPermission? Stored(string user, string vhost) => _stored.TryGetValue((user, vhost), out var permission) ? permission : null;

    /// <summary>Sets what a service's user may do (its own vhost, and what its grants add), replacing what it had.</summary>
    internal void GiveService(string user, IEnumerable<VhostPermission> permissions)
    {
        foreach (var key in _implicit.Keys.Where(k => k.User == user).ToList())
        {
            _implicit.TryRemove(key, out _);
        }
        foreach (var permission in permissions)
        {
            _implicit[(user, permission.Vhost)] = _implicit.TryGetValue((user, permission.Vhost), out var had) ? had.Widen(permission) : permission;
        }
        Changed?.Invoke();
    }

    /// <summary>Stores a permission (with its audit entry, in one commit) before it takes effect.</summary>
    internal async Task SetAsync(VhostPermission permission, AuditRecord? audit, CancellationToken ct)
    {
        await Store.WriteAsync(connection => Run(connection,
            "INSERT INTO mq_permissions(user, vhost, configure, write, read) VALUES ($user, $vhost, $c, $w, $r) " +
            "ON CONFLICT(user, vhost) DO UPDATE SET configure = excluded.configure, write = excluded.write, read = excluded.read",
            ("$user", permission.User), ("$vhost", permission.Vhost), ("$c", permission.Configure.Text), ("$w", permission.Write.Text), ("$r", permission.Read.Text)),
            audit, ct);
        _stored[(permission.User, permission.Vhost)] = permission;
        Changed?.Invoke();
    }

    /// <summary>Removes what an admin set for the user in the vhost; false when nothing was set.</summary>
    internal async Task<bool> ClearAsync(string user, string vhost, AuditRecord? audit, CancellationToken ct)
    {
        if (!_stored.ContainsKey((user, vhost)))
        {
            return false;
        }
        await Store.WriteAsync(connection => Run(connection, "DELETE FROM mq_permissions WHERE user = $user AND vhost = $vhost",
            ("$user", user), ("$vhost", vhost)), audit, ct);
        _stored.TryRemove((user, vhost), out _);
        Changed?.Invoke();
        return true;
    }

    /// <summary>The statement that forgets a user's or a vhost's permissions, to run in the same commit as its removal.</summary>
    internal static void DeleteWhere(SqliteConnection connection, string column, string value) =>
        Run(connection, $"DELETE FROM mq_permissions WHERE {column} = $value", ("$value", value));

    /// <summary>After the store forgot them: drops a removed user's or vhost's permissions from memory.</summary>
    internal void Forget(Func<(string User, string Vhost), bool> which)
    {
        foreach (var key in _stored.Keys.Where(which).ToList())
        {
            _stored.TryRemove(key, out _);
        }
        Changed?.Invoke();
    }

    internal async Task ForgetVhostAsync(string vhost, CancellationToken ct)
    {
        if (_stored.Keys.Any(k => k.Vhost == vhost))
        {
            await Store.WriteAsync(connection => DeleteWhere(connection, "vhost", vhost), null, ct);
        }
        Forget(k => k.Vhost == vhost);
    }

    private SqliteConfigStore Store => _store ?? throw new InvalidOperationException("the broker's permissions are not loaded yet");

    internal static void Run(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
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
