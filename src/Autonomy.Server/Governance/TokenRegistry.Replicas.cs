using System.Collections.Concurrent;
using System.Security.Cryptography;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Governance;

/// <summary>
/// Each replica's own token, made when it starts and dropped when it stops: never the admin token,
/// never written to disk, and only its hash kept, so that a memory dump of the server does not hand
/// out live tokens.
/// </summary>
internal sealed partial class TokenRegistry : IReplicaCredentials
{
    private readonly ConcurrentDictionary<string, TokenHash> _hashByReplica = new(StringComparer.Ordinal);

    /// <summary>Where replicas reach the server (its port is known once it listens).</summary>
    public Func<int> Port { get; init; } = () => 0;

    public IReadOnlyDictionary<string, string> Issue(ServiceDefinition service, string replica)
    {
        var secret = "svc_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = TokenHash.Of(secret);
        Revoke(replica);
        _byHash[hash] = new AccessToken(replica, TokenKind.Replica, Roles.Service(service.Name), ServicePermissions.For(project(), service))
        {
            Replica = replica,
            Created = Now,
        };
        _hashByReplica[replica] = hash;
        return new Dictionary<string, string>
        {
            ["AUTONOMY_URL"] = $"http://127.0.0.1:{Port()}",
            ["AUTONOMY_TOKEN"] = secret,
        };
    }

    public void Revoke(string replica)
    {
        if (_hashByReplica.TryRemove(replica, out var hash))
        {
            _byHash.TryRemove(hash, out _);
        }
    }
}
