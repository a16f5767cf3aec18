namespace Autonomy.Server.Compose.Yaml;

/// <summary>Where a value was written: file, 1-based line and column. Every diagnostic points at one.</summary>
internal readonly record struct SourceLocation(string File, int Line, int Column)
{
    public static SourceLocation None { get; } = new("", 0, 0);

    public bool IsKnown => Line > 0;

    public override string ToString() => IsKnown ? $"{File}:{Line}:{Column}" : File;

    /// <summary>As <see cref="ToString()"/>, with the file relative to <paramref name="baseDirectory"/> when it lies under it.</summary>
    public string ToString(string baseDirectory)
    {
        var file = Relative(File, baseDirectory);
        return IsKnown ? $"{file}:{Line}:{Column}" : file;
    }

    /// <summary><paramref name="file"/> relative to <paramref name="baseDirectory"/> when it lies under it, else as it is.</summary>
    public static string Relative(string file, string? baseDirectory)
    {
        if (baseDirectory is null || file.Length == 0 || !Path.IsPathRooted(file))
        {
            return file;
        }
        var relative = Path.GetRelativePath(baseDirectory, file);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }
}
