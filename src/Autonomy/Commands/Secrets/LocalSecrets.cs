using Autonomy.Server.Compose.Model;
using Autonomy.Server.Secrets;

namespace Autonomy.Commands.Secrets;

/// <summary>The secrets of a stopped project, in its store directly, under the same master key the server would use.</summary>
internal sealed class LocalSecrets(SecretStore store, ComposeProject project) : ISecretsAccess
{
    public string Where => "the project's store (the project is not running)";

    public Task<SecretWrite> SetAsync(string name, byte[] value, CancellationToken ct) => Run(() => store.Set(name, value, "admin"));

    public Task<IReadOnlyList<SecretListing>> ListAsync(CancellationToken ct) => Run(() => SecretListing.Of(store.List(), project));

    public Task RemoveAsync(string name, CancellationToken ct) => Run(() =>
    {
        store.Remove(name);
        return true;
    });

    public Task<IReadOnlyList<SecretVersionInfo>> HistoryAsync(string name, CancellationToken ct) => Run(() => store.History(name));

    public Task<SecretWrite> RollbackAsync(string name, long version, CancellationToken ct) => Run(() => store.Rollback(name, version, "admin"));

    public Task<RotationOutcome> RotateKeyAsync(CancellationToken ct) => Run(() =>
    {
        var rotation = store.RotateKey();
        return new RotationOutcome(rotation.PreviousFingerprint, rotation.Fingerprint, rotation.Reencrypted, rotation.OriginName, store.Keys.Path, rotation.NewKey);
    });

    private static Task<T> Run<T>(Func<T> action)
    {
        try
        {
            return Task.FromResult(action());
        }
        catch (UnknownSecretException e)
        {
            throw new SecretsCommandException(e.Version is null ? $"{e.Message}; create it with 'autonomy secrets set {e.Name} < FILE'" : e.Message);
        }
        catch (Exception e) when (e is MasterKeyException or SecretIntegrityException or ArgumentException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new SecretsCommandException(e is ArgumentException a ? a.Message.Split(" (Parameter", 2)[0] : e.Message);
        }
    }

    public void Dispose()
    {
    }
}
