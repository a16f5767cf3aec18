using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Autonomy.Server.Governance;
using Autonomy.Server.Store;

namespace Autonomy.Server.Messaging.Access;

/// <summary>
/// Every broker user the server accepts: each service's own (made when the server starts, with a new
/// random password, in memory only) and those an admin made (kept in the store, the password hashed).
/// <see cref="Authenticate"/> is how an AMQP PLAIN login or an HTTP Basic header is checked;
/// <see cref="Permissions"/> what the user may then do.
/// </summary>
public sealed class BrokerUsers
{
    private readonly ConcurrentDictionary<string, BrokerUser> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BrokerUser> _stored = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccessToken> _callers = new(StringComparer.Ordinal);

    // A chosen password costs a PBKDF2 run to check, too much for every request: once it matched, a keyed
    // hash of it is kept for that user record, so that the next requests compare that instead. The key is
    // made at start and never leaves memory.
    private readonly ConcurrentDictionary<string, (BrokerUser User, byte[] Mac)> _verified = new(StringComparer.Ordinal);
    private readonly byte[] _verifiedKey = RandomNumberGenerator.GetBytes(32);
    private SqliteConfigStore? _store;

    public BrokerUsers()
    {
        Permissions.Changed += _callers.Clear;
    }

    public BrokerPermissions Permissions { get; } = new();

    /// <summary>Loads the users and permissions an admin made.</summary>
    internal void Open(SqliteConfigStore store)
    {
        _store = store;
        using (var connection = store.OpenReader())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, password_hash, tags FROM mq_users";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var name = reader.GetString(0);
                _stored[name] = new BrokerUser(name, PasswordHash.Parse(reader.GetString(1)), SplitTags(reader.GetString(2)), null);
            }
        }
        Permissions.Load(store);
    }

    /// <summary>The user whose name and password these are, or null (no such user, or the wrong password).</summary>
    public BrokerUser? Authenticate(string user, string password)
    {
        if (_services.TryGetValue(user, out var service))
        {
            return service.Password.Matches(password) ? service : null;
        }
        if (!_stored.TryGetValue(user, out var stored))
        {
            return null;
        }
        var mac = HMACSHA256.HashData(_verifiedKey, Encoding.UTF8.GetBytes(password));
        if (_verified.TryGetValue(user, out var known) && ReferenceEquals(known.User, stored) && CryptographicOperations.FixedTimeEquals(known.Mac, mac))
        {
            return stored;
        }
        if (!stored.Password.Matches(password))
        {
            return null;
        }
        _verified[user] = (stored, mac);
        return stored;
    }

    public BrokerUser? Find(string name) =>
        _services.TryGetValue(name, out var service) ? service : _stored.TryGetValue(name, out var stored) ? stored : null;

    /// <summary>Every user, services' first, then by name.</summary>
    public IReadOnlyList<BrokerUser> All() =>
        [.. _services.Values.OrderBy(u => u.Name, StringComparer.Ordinal), .. _stored.Values.Where(u => !_services.ContainsKey(u.Name)).OrderBy(u => u.Name, StringComparer.Ordinal)];

    /// <summary>
    /// Makes (or makes again, with a new password) the user of <paramref name="service"/>: <c>.*</c> on its
    /// own vhost, and what <paramref name="grants"/> (its <c>messaging:*</c> permissions on other vhosts) add.
    /// Returns the password, which exists nowhere else.
    /// </summary>
    public string AddService(string service, IEnumerable<Permission> grants)
    {
        var password = Data.GeneratedPassword.New();
        _services[service] = new BrokerUser(service, PasswordHash.OfGenerated(password), [], service);
        GiveService(service, grants);
        return password;
    }

    /// <summary>
    /// Makes (or makes again) the user a rabbitmq image's environment names, with everything on the vhost it names.
    /// Like a service's own user it lives in memory and is made at each <c>up</c>, from the compose file that holds
    /// its password in clear: a salted hash of that is enough here, and spares every login a PBKDF2 run. It gets
    /// none of the administrator rights the image's user has in RabbitMQ: here those would reach every service's vhost.
    /// </summary>
    public void AddImageUser(string service, string user, string password, string vhost)
    {
        // The user the image named before its environment changed logs in no more.
        foreach (var old in _services.Values.Where(u => u.Service == service && u.Name != user && u.Name != service).ToList())
        {
            _services.TryRemove(old.Name, out _);
            Permissions.GiveService(old.Name, []);
        }
        _services[user] = new BrokerUser(user, PasswordHash.OfGenerated(password), [], service);
        Permissions.GiveService(user, [VhostPermission.All(user, vhost)]);
    }

    /// <summary>What a service's user may do, after its grants changed (a reconcile): its password stays.</summary>
    public void GiveService(string service, IEnumerable<Permission> grants)
    {
        var none = PermissionPattern.None;
        var all = PermissionPattern.Everything;
        var given = new List<VhostPermission> { VhostPermission.All(service, service) };
        foreach (var grant in grants)
        {
            // A grant without a scope (messaging:read for every vhost) is a token's; a user's permissions name their vhost.
            if (grant.Scope is not { } vhost)
            {
                continue;
            }
            given.Add(grant.Kind switch
            {
                "messaging:configure" => new VhostPermission(service, vhost, all, none, none),
                "messaging:write" => new VhostPermission(service, vhost, none, all, none),
                "messaging:consume" => new VhostPermission(service, vhost, none, none, all),
                _ => new VhostPermission(service, vhost, none, none, none),
            });
        }
        Permissions.GiveService(service, given);
    }

    /// <summary>
    /// The caller a request authenticated as this user is: its permissions are the <c>messaging:*</c> ones
    /// of the vhosts it has a permission in (which the API then narrows to the names its patterns allow),
    /// and <c>messaging:manage</c> with the administrator tag. Nothing outside messaging.
    /// </summary>
    public AccessToken CallerFor(BrokerUser user) => _callers.GetOrAdd(user.Name, _ =>
    {
        var permissions = new List<Permission>();
        foreach (var vhost in Permissions.ForUser(user.Name))
        {
            permissions.Add(new Permission("messaging:read", vhost.Vhost));
            if (vhost.Read.AllowsAnything)
            {
                permissions.Add(new Permission("messaging:consume", vhost.Vhost));
            }
            if (vhost.Write.AllowsAnything)
            {
                permissions.Add(new Permission("messaging:write", vhost.Vhost));
            }
            if (vhost.Configure.AllowsAnything)
            {
                permissions.Add(new Permission("messaging:configure", vhost.Vhost));
            }
        }
        if (user.IsAdministrator)
        {
            permissions.Add(new Permission("messaging:manage", null));
            permissions.Add(new Permission("messaging:read", null));
        }
        return new AccessToken(user.Name, TokenKind.BrokerUser, $"broker-user:{user.Name}", PermissionSet.Of(permissions));
    });

    /// <summary>Makes or replaces a stored user (durably, with its audit entry); true when it is new.</summary>
    internal async Task<bool> PutAsync(string name, string password, IReadOnlyList<string> tags, AuditRecord? audit, CancellationToken ct)
    {
        if (_services.ContainsKey(name))
        {
            throw new InvalidOperationException($"'{name}' is a service's own user");
        }
        var user = new BrokerUser(name, PasswordHash.OfChosen(password), tags, null);
        await Store.WriteAsync(connection => BrokerPermissions.Run(connection,
            "INSERT INTO mq_users(name, password_hash, tags, created) VALUES ($name, $hash, $tags, $created) " +
            "ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, tags = excluded.tags",
            ("$name", name), ("$hash", user.Password.ToString()), ("$tags", string.Join(',', tags)), ("$created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())),
            audit, ct);
        var added = !_stored.ContainsKey(name);
        _stored[name] = user;
        _verified.TryRemove(name, out _);
        _callers.TryRemove(name, out _);
        return added;
    }

    /// <summary>Deletes a stored user and its permissions (in one commit); false when there is none.</summary>
    internal async Task<bool> DeleteAsync(string name, AuditRecord? audit, CancellationToken ct)
    {
        if (!_stored.ContainsKey(name))
        {
            return false;
        }
        await Store.WriteAsync(connection =>
        {
            BrokerPermissions.Run(connection, "DELETE FROM mq_users WHERE name = $name", ("$name", name));
            BrokerPermissions.DeleteWhere(connection, "user", name);
        }, audit, ct);
        _stored.TryRemove(name, out _);
        _verified.TryRemove(name, out _);
        Permissions.Forget(k => k.User == name);
        return true;
    }

    private SqliteConfigStore Store => _store ?? throw new InvalidOperationException("the broker's users are not loaded yet");

    private static string[] SplitTags(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
