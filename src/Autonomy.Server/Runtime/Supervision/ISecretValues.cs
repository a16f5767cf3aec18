namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// The project's stored (external) secrets, as the supervisor needs them: whether one exists before
/// anything starts, and its value when a replica starts. The server provides it; a bare supervisor has none.
/// </summary>
public interface ISecretValues
{
    bool Exists(string name);

    /// <summary>Why no stored secret can be read now (the master key is missing or wrong), or null.</summary>
    string? KeyProblem();

    byte[] Read(string name);
}
