namespace Autonomy.Server.Data.Managed;

/// <summary>
/// A PostgreSQL server Autonomy runs: for a compose service declared by the postgres image (with
/// its POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB), or the one it adds for services that ask
/// for <c>x-autonomy.database: postgres</c>.
/// </summary>
public sealed record ManagedServerPlan
{
    /// <summary>Where the cluster lives: <c>.autonomy/&lt;project&gt;/pg/&lt;service&gt;</c>.</summary>
    public required string Directory { get; init; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public required PostgresBinaries Binaries { get; init; }

    /// <summary>The superuser initdb makes (POSTGRES_USER, default postgres).</summary>
    public required string Superuser { get; init; }

    /// <summary>POSTGRES_PASSWORD; null for the server Autonomy adds, whose superuser's password it generates and keeps.</summary>
    public string? Password { get; init; }

    /// <summary>POSTGRES_HOST_AUTH_METHOD=trust: connections need no password, as the image allows.</summary>
    public bool Trust { get; init; }

    /// <summary>POSTGRES_DB, made at first start when it is not the superuser's own.</summary>
    public string? Database { get; init; }

    /// <summary>The image it stands in for, or null for the server Autonomy adds.</summary>
    public string? Image { get; init; }
}
