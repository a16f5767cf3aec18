namespace Autonomy.Server.Compose.Model;

/// <summary>A service's use of a top-level config or secret.</summary>
public sealed record FileReference(string Source, string? Target, string? Uid, string? Gid, int? Mode);
