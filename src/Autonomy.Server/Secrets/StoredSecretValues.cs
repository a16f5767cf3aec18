using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Secrets;

/// <summary>The project's store as the supervisor (or a one-off <c>run</c>) reads external secrets from it.</summary>
public sealed class StoredSecretValues(SecretStore store) : ISecretValues
{
    public bool Exists(string name) => store.Exists(name);

    public string? KeyProblem() => store.KeyProblem();

    public byte[] Read(string name) => store.Read(name);
}
