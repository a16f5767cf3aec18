namespace Autonomy.Server.Compose.Model;

public sealed record BuildDefinition
{
    /// <summary>An absolute folder, or a remote context (a git URL) as written.</summary>
    public required string Context { get; init; }

    /// <summary>Relative to <see cref="Context"/>; "Dockerfile" unless given.</summary>
    public string? Dockerfile { get; init; }

    public string? DockerfileInline { get; init; }

    public string? Target { get; init; }

    public IReadOnlyDictionary<string, string?> Args { get; init; } = new Dictionary<string, string?>();
}
