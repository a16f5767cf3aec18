using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Hosting;

/// <summary>
/// One token per running replica, never the admin token. Only a hash is kept, so a memory dump
/// of the server does not hand out live tokens; a token dies with its replica.
/// </summary>
internal sealed class ReplicaTokens(Func<int> port) : IReplicaCredentials
{
    private readonly ConcurrentDictionary<string, (string Service, string Replica)> _byHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _hashByReplica = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Issue(string service, string replica)
    {
        var token = "svc_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Hash(token);
        Revoke(replica);
        _byHash[hash] = (service, replica);
        _hashByReplica[replica] = hash;
        return new Dictionary<string, string>
        {
            ["AUTONOMY_URL"] = $"http://127.0.0.1:{port()}",
            ["AUTONOMY_TOKEN"] = token,
        };
    }

    public void Revoke(string replica)
    {
        if (_hashByReplica.TryRemove(replica, out var hash))
        {
            _byHash.TryRemove(hash, out _);
        }
    }

    /// <summary>The service a token belongs to, or null.</summary>
    public string? ServiceOf(string token) => OwnerOf(token)?.Service;

    /// <summary>The service and replica a token was issued to, or null.</summary>
    public (string Service, string Replica)? OwnerOf(string token) => _byHash.TryGetValue(Hash(token), out var owner) ? owner : null;

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
