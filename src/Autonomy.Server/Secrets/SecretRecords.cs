namespace Autonomy.Server.Secrets;

/// <summary>A secret as listed: never its value.</summary>
public sealed record SecretInfo(string Name, long Version, int Versions, DateTimeOffset Created, DateTimeOffset Updated);

/// <summary>A secret as <c>GET /v1/secrets</c> and <c>secrets list</c> show it: with the services granted it in compose, never its value.</summary>
public sealed record SecretListing(string Name, long Version, int Versions, DateTimeOffset Created, DateTimeOffset Updated, IReadOnlyList<string> Services)
{
    public static IReadOnlyList<SecretListing> Of(IEnumerable<SecretInfo> secrets, Compose.Model.ComposeProject project)
    {
        var users = SecretGrants.UsedBy(project);
        return [.. secrets.Select(s => new SecretListing(s.Name, s.Version, s.Versions, s.Created, s.Updated, users.GetValueOrDefault(s.Name) ?? []))];
    }
}

/// <summary>One version of a secret: when, by whom, under which key; <see cref="RestoredFrom"/> when it was a rollback.</summary>
public sealed record SecretVersionInfo(long Version, DateTimeOffset Time, string Author, string KeyFingerprint, long? RestoredFrom);

/// <summary>What a set or a rollback did: the secret's version now, and whether that is a new one.</summary>
public sealed record SecretWrite(string Name, long Version, bool Changed);

/// <summary>
/// A finished key rotation. <see cref="NewKey"/> (base64) is given only when the key lives in the
/// environment, where Autonomy cannot store it: whoever asked must hand it to the user, once.
/// </summary>
public sealed record KeyRotation(string PreviousFingerprint, string Fingerprint, int Reencrypted, MasterKeyOrigin Origin, string? NewKey)
{
    /// <summary>Where the key lives, as the API names it: <c>state-file</c>, <c>key-file</c> or <c>environment</c>.</summary>
    public string OriginName => Origin switch
    {
        MasterKeyOrigin.Environment => "environment",
        MasterKeyOrigin.KeyFile => "key-file",
        _ => "state-file",
    };
}

/// <summary>No secret by that name (or no such version of it).</summary>
public sealed class UnknownSecretException(string name, long? version = null)
    : Exception(version is { } v ? $"secret '{name}' has no version {v}" : $"no secret '{name}'")
{
    public string Name { get; } = name;

    public long? Version { get; } = version;
}
