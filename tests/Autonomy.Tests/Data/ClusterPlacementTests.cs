using Autonomy.Server.Data;
using Autonomy.Server.Data.Clusters;

namespace Autonomy.Tests.Data;

/// <summary>Hash placement over named clusters: stable for each service, balanced, and moving few services when a cluster is added.</summary>
public sealed class ClusterPlacementTests
{
    private static DatabaseCluster Cluster(string name, int port) =>
        PostgresServerAddress.TryParse($"postgres://admin@127.0.0.1:{port}", out var address, out _) ? new DatabaseCluster(name, address!) : throw new InvalidOperationException();

    private static readonly DatabaseCluster[] Two = [Cluster("main", 5432), Cluster("archive", 5433)];

    private static readonly string[] Services = [.. Enumerable.Range(0, 300).Select(i => $"service-{i}")];

    private static Dictionary<string, string> Place(IEnumerable<string> services, IReadOnlyList<DatabaseCluster> clusters) =>
        services.ToDictionary(s => s, s => ClusterPlacement.ByHash(s, clusters).Name);

    [Fact]
    public void AServicesClusterDependsOnItsNameAndTheClustersOnly()
    {
        var before = Place(Services, Two);
        // Other services come and go, and the clusters are written in another order: nobody moves.
        var after = Place(Services.Concat(["billing", "search", "web-api"]).Where(s => s != "service-7"), [Two[1], Two[0]]);
        Assert.All(before.Where(p => p.Key != "service-7"), p => Assert.Equal(p.Value, after[p.Key]));
        // The same answer on every machine and run: a fixed name has a fixed cluster.
        Assert.Equal(ClusterPlacement.ByHash("orders", Two).Name, ClusterPlacement.ByHash("orders", [.. Two]).Name);
    }

    [Fact]
    public void ServicesSpreadOverTheClusters()
    {
        var counts = Place(Services, Two).GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 120, 180));
    }

    [Fact]
    public void AnAddedClusterTakesAThirdAndMovesNobodyElse()
    {
        var before = Place(Services, Two);
        var after = Place(Services, [.. Two, Cluster("spare", 5434)]);
        var moved = Services.Where(s => before[s] != after[s]).ToList();
        // Those that move go to the new cluster only; none is shuffled between the old ones.
        Assert.All(moved, s => Assert.Equal("spare", after[s]));
        Assert.InRange(moved.Count, 70, 130);
    }

    [Fact]
    public void OneClusterTakesEveryService() =>
        Assert.All(Services, s => Assert.Equal("main", ClusterPlacement.ByHash(s, [Two[0]]).Name));
}
