namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Gives each replica its own way to reach the control plane (AUTONOMY_URL and AUTONOMY_TOKEN) when it
/// starts, and takes it back when it stops. The server provides it; a bare supervisor has none.
/// </summary>
public interface IReplicaCredentials
{
    IReadOnlyDictionary<string, string> Issue(Compose.Model.ServiceDefinition service, string replica);

    void Revoke(string replica);
}
