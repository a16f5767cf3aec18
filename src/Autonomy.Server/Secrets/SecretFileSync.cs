using Autonomy.Server.Runtime.Logs;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Secrets;

/// <summary>
/// Gives the supervisor the project's stored secrets, and when one changes (set, rolled back)
/// delivers it again to every running replica granted it, each file replaced atomically. What was
/// done goes to the replica's log, by the secret's name only.
/// </summary>
internal sealed class SecretFileSync : IDisposable
{
    private readonly Supervisor _supervisor;
    private readonly SecretStore _store;

    public SecretFileSync(Supervisor supervisor, SecretStore store)
    {
        _supervisor = supervisor;
        _store = store;
        store.Changed += Redeliver;
        supervisor.Secrets = new StoredSecretValues(store);
    }

    /// <summary>The running services granted the stored secret <paramref name="name"/>.</summary>
    public IReadOnlyList<string> RunningUsers(string name) =>
        [.. _supervisor.Status().Where(s => s.Replicas.Count > 0).Select(s => s.Name)
            .Where(service => _supervisor.Plans.FirstOrDefault(p => p.Name == service) is { } plan
                && plan.SecretFiles.Any(f => f.Source is Runtime.Planning.StoredSecretSource s && s.StoreName == name))];

    private void Redeliver(string name)
    {
        foreach (var (replica, error) in _supervisor.SecretFiles.Refresh(name))
        {
            Log(replica, error is null ? $"secret '{name}' changed: its file was replaced" : $"secret '{name}' changed, but its file could not be replaced: {error}");
        }
    }

    private void Log(string replica, string text) =>
        _supervisor.Logs.Write(new LogLine(DateTimeOffset.UtcNow, replica[..replica.LastIndexOf('-')], replica, LogStream.System, text));

    public void Dispose() => _store.Changed -= Redeliver;
}
