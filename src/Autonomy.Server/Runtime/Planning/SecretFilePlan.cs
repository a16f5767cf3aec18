namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// A compose secret as a native service gets it: a file named <see cref="FileName"/> in the replica's
/// secrets folder (<c>AUTONOMY_SECRETS_DIR</c>), mode <see cref="Mode"/> (0400 unless the long form
/// says), and a symlink to it at <see cref="LinkPath"/> when a relative target asks for one.
/// </summary>
public sealed record SecretFilePlan(string Name, string FileName, string? LinkPath, SecretFileSource Source, int Mode)
{
    /// <summary>Docker's default for a secret's file: readable by its owner only.</summary>
    public const int DefaultMode = 0x100; // 0400
}

/// <summary>Where a secret's value comes from. None of these holds the value itself, so no plan can print one.</summary>
public abstract record SecretFileSource;

/// <summary><c>file:</c>, read when a replica starts.</summary>
public sealed record FileSecretSource(string Path) : SecretFileSource;

/// <summary><c>environment:</c>, the variable's value in the project's environment when a replica starts.</summary>
public sealed record EnvironmentSecretSource(string Variable) : SecretFileSource;

/// <summary><c>external: true</c>: a secret in the project's encrypted store, by its name there.</summary>
public sealed record StoredSecretSource(string StoreName) : SecretFileSource;
