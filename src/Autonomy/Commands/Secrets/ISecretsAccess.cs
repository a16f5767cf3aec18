using Autonomy.Server.Secrets;

namespace Autonomy.Commands.Secrets;

/// <summary>
/// The project's secrets as the verbs use them: through the running server's API, or, when the
/// project is stopped, in its store directly (so that a secret can be set before the first <c>up</c>).
/// Failures are <see cref="SecretsCommandException"/>s whose message is what the user reads.
/// </summary>
internal interface ISecretsAccess : IDisposable
{
    /// <summary>"the running server" or "the store (the project is stopped)", for messages.</summary>
    string Where { get; }

    Task<SecretWrite> SetAsync(string name, byte[] value, CancellationToken ct);

    Task<IReadOnlyList<SecretListing>> ListAsync(CancellationToken ct);

    Task RemoveAsync(string name, CancellationToken ct);

    Task<IReadOnlyList<SecretVersionInfo>> HistoryAsync(string name, CancellationToken ct);

    Task<SecretWrite> RollbackAsync(string name, long version, CancellationToken ct);

    Task<RotationOutcome> RotateKeyAsync(CancellationToken ct);
}

/// <summary>A finished key rotation as the verb reports it; <see cref="Key"/> only when the key lives in the environment.</summary>
internal sealed record RotationOutcome(string PreviousFingerprint, string Fingerprint, int Reencrypted, string Origin, string? KeyFile, string? Key);

/// <summary>What went wrong, in words for the user (never a secret's value).</summary>
internal sealed class SecretsCommandException(string message) : Exception(message);
