namespace Autonomy.Server.Data;

/// <summary>
/// A service's database as decided before anything starts: its provider, the name its role and
/// database (or SQLite file) get, the folder of init scripts, and how its name was mapped.
/// </summary>
public sealed record DatabasePlan
{
    public required string Service { get; init; }

    public required DatabaseChoice Choice { get; init; }

    /// <summary>The role and database on PostgreSQL; the file's name (without .db) on SQLite.</summary>
    public required string Name { get; init; }

    /// <summary>A folder of .sql files run once each, in name order.</summary>
    public string? InitFolder { get; init; }

    /// <summary>How the service's name was made an identifier, when it was.</summary>
    public string? NameNote { get; init; }

    /// <summary>For a managed PostgreSQL: the service that runs that server.</summary>
    public string? ManagedServer { get; init; }
}
