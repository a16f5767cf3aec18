namespace Autonomy.Server.Secrets;

/// <summary>A secret as listed: never its value.</summary>
public sealed record SecretInfo(string Name, long Version, int Versions, DateTimeOffset Created, DateTimeOffset Updated);

/// <summary>One version of a secret: when, by whom, under which key; <see cref="RestoredFrom"/> when it was a rollback.</summary>
public sealed record SecretVersionInfo(long Version, DateTimeOffset Time, string Author, string KeyFingerprint, long? RestoredFrom);

/// <summary>What a set or a rollback did: the secret's version now, and whether that is a new one.</summary>
public sealed record SecretWrite(string Name, long Version, bool Changed);

/// <summary>
/// A finished key rotation. <see cref="NewKey"/> (base64) is given only when the key lives in the
/// environment, where Autonomy cannot store it: whoever asked must hand it to the user, once.
/// </summary>
public sealed record KeyRotation(string PreviousFingerprint, string Fingerprint, int Reencrypted, MasterKeyOrigin Origin, string? NewKey);

/// <summary>No secret by that name (or no such version of it).</summary>
public sealed class UnknownSecretException(string name, long? version = null)
    : Exception(version is { } v ? $"secret '{name}' has no version {v}" : $"no secret '{name}'")
{
    public string Name { get; } = name;

    public long? Version { get; } = version;
}
