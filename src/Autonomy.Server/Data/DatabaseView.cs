namespace Autonomy.Server.Data;

/// <summary>A database as <c>db ls</c> and <c>GET /v1/databases</c> show it; scripts rely on this shape.</summary>
/// <param name="Provider">sqlite or postgres.</param>
/// <param name="Name">The role and database on PostgreSQL; the file's name without .db on SQLite.</param>
/// <param name="Location">The SQLite file, or the server's hosts.</param>
/// <param name="Server">managed (the service that runs it) or postgres://ADMIN@HOSTS; null for SQLite.</param>
/// <param name="InUse">Whether a service of the compose file uses it now; one that left keeps its data until <c>db drop</c>.</param>
/// <param name="Cluster">The cluster of x-autonomy.databases it is on; null elsewhere.</param>
/// <param name="Placement">How it came there: pin or hash; null off the named clusters.</param>
/// <param name="Health">For PostgreSQL in use: its nodes as last checked, and whether one is a primary.</param>
public sealed record DatabaseView(string Service, string Provider, string Name, string Location, string? Server, bool InUse, DateTimeOffset Created, string? Cluster, string? Placement,
    Health.DatabaseHealth? Health);
