namespace Autonomy.Server.Compose.Loading;

/// <summary>Which compose files to read when none is named: compose.yaml and its variants, in this folder or a parent.</summary>
internal static class ComposeFileLocator
{
    public static readonly string[] DefaultNames = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

    public static string? FindDefault(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            foreach (var name in DefaultNames)
            {
                var candidate = Path.Combine(dir.FullName, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>The override file docker compose reads beside the default one (compose.override.yaml).</summary>
    public static string? OverrideFor(string file)
    {
        var dir = Path.GetDirectoryName(file)!;
        var stem = Path.GetFileNameWithoutExtension(file);
        foreach (var ext in new[] { ".yaml", ".yml" })
        {
            var candidate = Path.Combine(dir, stem + ".override" + ext);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
