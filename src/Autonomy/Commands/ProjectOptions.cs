using System.CommandLine;
using Autonomy.Server.Compose.Loading;

namespace Autonomy.Commands;

/// <summary>The options every verb takes to find its project, as docker compose names them.</summary>
internal static class ProjectOptions
{
    public static readonly Option<string[]> Files = new("--file", "-f")
    {
        Description = "Compose file to read (repeat to merge several, later files win)",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string?> ProjectName = new("--project-name", "-p")
    {
        Description = "Project name (default: COMPOSE_PROJECT_NAME, the file's name:, or the folder's name)",
        Recursive = true,
    };

    public static readonly Option<string?> ProjectDirectory = new("--project-directory")
    {
        Description = "Folder that relative paths start from (default: the first file's folder)",
        Recursive = true,
    };

    public static readonly Option<string[]> EnvFiles = new("--env-file")
    {
        Description = "File of variables for interpolation (default: .env in the project folder)",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string[]> Profiles = new("--profile")
    {
        Description = "Profile to enable (repeatable; adds to COMPOSE_PROFILES)",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Files);
        root.Options.Add(ProjectName);
        root.Options.Add(ProjectDirectory);
        root.Options.Add(EnvFiles);
        root.Options.Add(Profiles);
    }

    public static ComposeLoadOptions LoadOptions(ParseResult parse) => new()
    {
        Files = parse.GetValue(Files) ?? [],
        ProjectName = parse.GetValue(ProjectName),
        ProjectDirectory = parse.GetValue(ProjectDirectory),
        EnvFiles = parse.GetValue(EnvFiles) ?? [],
        Profiles = parse.GetValue(Profiles) ?? [],
    };
}
