using System.Collections.Concurrent;
using System.Security.Cryptography;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Store;
using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Governance;

/// <summary>
/// Every token the server accepts, by the hash of the token: the admin-token file's, those made
/// with <c>tokens create</c> (kept hashed in the store) and each running replica's (in memory
/// only). A request's token is found with one lookup and no read of the store; creating and
/// revoking commit to the store (with their audit entry) before they take effect here.
/// </summary>
internal sealed partial class TokenRegistry(Func<ComposeProject> project, TimeProvider? time = null)
{
    private const string TokenPrefix = "aut_";
    private const string IdPrefix = "tok_";

    private readonly ConcurrentDictionary<TokenHash, AccessToken> _byHash = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private SqliteConfigStore? _store;

    private SqliteConfigStore Store => _store ?? throw new InvalidOperationException("the token registry is not open yet");

    /// <summary>Registers the admin-token file's token and loads the tokens the store keeps.</summary>
    public void Open(SqliteConfigStore store, string adminToken, DateTimeOffset adminTokenCreated)
    {
        _store = store;
        _byHash[TokenHash.Of(adminToken)] = new AccessToken("admin", TokenKind.File, Roles.Admin, PermissionSet.Everything)
        {
            Name = "admin-token file",
            Created = adminTokenCreated,
        };
        using var connection = store.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, hash, role, name, created, expires, revoked, last_used FROM tokens";
        using var reader = command.ExecuteReader();
        var current = project();
        while (reader.Read())
        {
            var role = reader.GetString(2);
            _byHash[TokenHash.FromHex(reader.GetString(1))] = new AccessToken(reader.GetString(0), TokenKind.Stored, role, Roles.ResolveKnown(role, current))
            {
                Name = reader.IsDBNull(3) ? null : reader.GetString(3),
                Created = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                Expires = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                Revoked = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                LastUsed = reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
            };
        }
    }

    /// <summary>The token a request carries, or null when this server never made it (or it belonged to a replica that stopped).</summary>
    public AccessToken? Find(ReadOnlySpan<char> token) =>
        TokenHash.TryCompute(token, out var hash) && _byHash.TryGetValue(hash, out var found) ? found : null;

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Every token, newest first within each kind: the file's, the made ones, the replicas'.</summary>
    public IReadOnlyList<AccessToken> All() =>
        [.. _byHash.Values.OrderBy(t => t.Kind).ThenByDescending(t => t.Created).ThenBy(t => t.Id, StringComparer.Ordinal)];

    public AccessToken? ById(string id) => _byHash.Values.FirstOrDefault(t => t.Id == id);

    /// <summary>
    /// Makes a token of <paramref name="role"/>, durable (with <paramref name="audit"/>, its target
    /// the new token's id) before it is returned: the token itself exists only in the answer.
    /// </summary>
    public async Task<(AccessToken Token, string Secret)> CreateAsync(string role, PermissionSet permissions, TimeSpan? lifetime, string? name,
        Func<string, AuditRecord>? audit, CancellationToken ct)
    {
        var secret = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var id = IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var created = DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds());
        var token = new AccessToken(id, TokenKind.Stored, role, permissions)
        {
            Name = name,
            Created = created,
            Expires = lifetime is { } ttl ? created + ttl : null,
        };
        var hash = TokenHash.Of(secret);
        await Store.WriteAsync(connection => Run(connection,
            "INSERT INTO tokens(id, hash, role, name, created, expires) VALUES ($id, $hash, $role, $name, $created, $expires)",
            ("$id", id), ("$hash", hash.ToHex()), ("$role", role), ("$name", name), ("$created", created.ToUnixTimeMilliseconds()),
            ("$expires", token.Expires?.ToUnixTimeMilliseconds())), audit?.Invoke(id), ct);
        _byHash[hash] = token;
        return (token, secret);
    }

    /// <summary>Revokes a made token (durably, with <paramref name="audit"/>); from then on it is refused. Revoking it again changes nothing.</summary>
    public async Task RevokeAsync(AccessToken token, AuditRecord? audit, CancellationToken ct)
    {
        if (token.Kind != TokenKind.Stored)
        {
            throw new InvalidOperationException("only a made token is revoked this way");
        }
        var at = token.Revoked ?? DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds());
        await Store.WriteAsync(connection => Run(connection, "UPDATE tokens SET revoked = $at WHERE id = $id AND revoked IS NULL",
            ("$at", at.ToUnixTimeMilliseconds()), ("$id", token.Id)), audit, ct);
        token.Revoked = at;
    }

    /// <summary>Gives made <c>service:NAME</c> tokens what the new project's service may do (its grants may have changed).</summary>
    public void ProjectChanged()
    {
        var current = project();
        foreach (var token in _byHash.Values.Where(t => t.Kind == TokenKind.Stored))
        {
            token.Permissions = Roles.ResolveKnown(token.Role, current);
        }
    }

    /// <summary>Writes when each made token was last used (kept in memory between saves: a read never waits for a write).</summary>
    public async Task SaveLastUseAsync()
    {
        var used = _byHash.Values.Where(t => t.Kind == TokenKind.Stored && t.LastUseUnsaved).ToList();
        if (used.Count == 0 || _store is null)
        {
            return;
        }
        foreach (var token in used)
        {
            token.LastUseUnsaved = false;
        }
        await Store.WriteAsync(connection =>
        {
            foreach (var token in used)
            {
                Run(connection, "UPDATE tokens SET last_used = $at WHERE id = $id", ("$at", token.LastUsed?.ToUnixTimeMilliseconds()), ("$id", token.Id));
            }
        }, null);
    }

    // URL-safe, unpadded: a key or token that survives shells, URLs and headers as it is.
    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static void Run(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        Autonomy.Server.Store.SqliteStatements.Run(connection, sql, parameters);
}
