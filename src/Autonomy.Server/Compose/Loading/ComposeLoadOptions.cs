namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// What the user gave on the command line and in the environment, as docker compose takes it.
/// Defaults: files found in <see cref="WorkingDirectory"/> (compose.yaml and its variants), the
/// project directory is the first file's folder, and <c>.env</c> there is read.
/// </summary>
public sealed record ComposeLoadOptions
{
    /// <summary><c>-f</c> files in order; empty means <c>COMPOSE_FILE</c> or the default names.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary><c>-p</c>; wins over <c>COMPOSE_PROJECT_NAME</c> and the file's <c>name</c>.</summary>
    public string? ProjectName { get; init; }

    /// <summary><c>--project-directory</c>; relative paths in the files resolve against it.</summary>
    public string? ProjectDirectory { get; init; }

    /// <summary><c>--env-file</c> files; when empty, <c>.env</c> in the project directory if it exists.</summary>
    public IReadOnlyList<string> EnvFiles { get; init; } = [];

    /// <summary><c>--profile</c> values; added to those of <c>COMPOSE_PROFILES</c>.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = [];

    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>The shell environment; null means the current process's.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
}
