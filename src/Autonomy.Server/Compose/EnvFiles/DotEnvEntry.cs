namespace Autonomy.Server.Compose.EnvFiles;

/// <summary>
/// One assignment of an env file, in file order. <see cref="Line"/> is the 1-based line of the key.
/// </summary>
/// <remarks>
/// <see cref="Value"/> is null for a bare <c>KEY</c> line whose variable the lookup does not know. compose-go defines
/// nothing for such a line, so the caller skips the entry: it neither sets the key nor removes an earlier value of it.
/// </remarks>
internal readonly record struct DotEnvEntry(string Key, string? Value, int Line);
