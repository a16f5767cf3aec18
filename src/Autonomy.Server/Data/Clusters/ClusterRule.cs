namespace Autonomy.Server.Data.Clusters;

/// <summary>How a service was placed on one of the clusters of <c>x-autonomy.databases</c>.</summary>
public enum ClusterRule
{
    /// <summary><c>pin: NAME</c>, or the cluster's name as the database: that cluster, always.</summary>
    Pin,

    /// <summary><c>hash</c>: the cluster <see cref="ClusterPlacement.ByHash"/> picks for the service's name.</summary>
    Hash,
}
