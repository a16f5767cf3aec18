namespace Autonomy.Server.Compose.Yaml;

/// <summary>Where a value was written: file, 1-based line and column. Every diagnostic points at one.</summary>
internal readonly record struct SourceLocation(string File, int Line, int Column)
{
    public static SourceLocation None { get; } = new("", 0, 0);

    public bool IsKnown => Line > 0;

    public override string ToString() => IsKnown ? $"{File}:{Line}:{Column}" : File;
}
