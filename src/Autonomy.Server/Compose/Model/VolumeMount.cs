namespace Autonomy.Server.Compose.Model;

/// <summary>A service mount: a named volume (Source is its name) or a bind mount (Source is an absolute path).</summary>
public sealed record VolumeMount(string Type, string? Source, string Target, bool ReadOnly);
