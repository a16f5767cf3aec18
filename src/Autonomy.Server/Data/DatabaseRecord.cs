namespace Autonomy.Server.Data;

/// <summary>
/// A database Autonomy made, kept after its service leaves the compose file (until <c>db drop</c>),
/// so that <c>db ls</c> can show it and <c>db drop</c> can find it.
/// </summary>
/// <param name="Provider">sqlite or postgres.</param>
/// <param name="Name">The role and database on PostgreSQL; the file's name without .db on SQLite.</param>
/// <param name="Location">The SQLite file, or the server's hosts.</param>
/// <param name="Server">For PostgreSQL: the managed server's service, or postgres://ADMIN@HOSTS (no password).</param>
/// <param name="Cluster">The cluster of x-autonomy.databases it was made on, if it was.</param>
/// <param name="Placement">How it came to be on that cluster: pin or hash.</param>
public sealed record DatabaseRecord(string Service, string Provider, string Name, string Location, string? Server, DateTimeOffset Created, string? Cluster = null, string? Placement = null)
{
    public bool IsManaged => Provider == "postgres" && Server is not null && !Server.Contains("://", StringComparison.Ordinal);
}
