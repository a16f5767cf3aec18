using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Autonomy.Server.Data.Clusters;

/// <summary>
/// Hash placement by rendezvous (highest random weight) hashing: each cluster scores the service by
/// a hash of the pair, and the highest score wins. A service's cluster depends on its own name and
/// the set of cluster names only, so adding or removing another service never moves it, the order
/// the clusters are written in does not matter, and a cluster added to N takes about 1/(N+1) of the
/// services (those it now outscores), never shuffling the rest among the old ones.
/// </summary>
public static class ClusterPlacement
{
    public static DatabaseCluster ByHash(string service, IReadOnlyList<DatabaseCluster> clusters)
    {
        if (clusters.Count == 0)
        {
            throw new ArgumentException("hash placement needs at least one cluster", nameof(clusters));
        }
        return clusters.OrderByDescending(c => Score(c.Name, service)).ThenBy(c => c.Name, StringComparer.Ordinal).First();
    }

    /// <summary>SHA-256 rather than string.GetHashCode: the same on every machine, run and .NET version.</summary>
    private static ulong Score(string cluster, string service) =>
        BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(cluster + "\n" + service)));
}
