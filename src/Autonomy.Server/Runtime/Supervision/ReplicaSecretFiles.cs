using Autonomy.Server.Compose.Model;
using Autonomy.Server.Runtime.Planning;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Delivers each replica's compose secrets as files in a folder of its own (<c>AUTONOMY_SECRETS_DIR</c>,
/// mode 0700) while it runs, and removes them when it stops. A relative target is a symlink in the
/// working directory to the service's copy, which lives as long as one of its replicas runs. Files are
/// replaced atomically (a temporary file renamed over the old one), so a reader never sees half a value.
/// </summary>
/// <remarks>A one-off command (<c>autonomy run</c>) gets its own instance with <paramref name="oneOff"/>, so that it never touches the server's folder.</remarks>
public sealed class ReplicaSecretFiles(string stateDirectory, Func<ComposeProject> project, IReadOnlyDictionary<string, string> environment, List<string> warnings, bool oneOff = false)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ServicePlan> _delivered = new(StringComparer.Ordinal);
    private string? _root;

    /// <summary>The project's stored secrets; set by the server. Without it a plan with external secrets does not pass planning.</summary>
    public ISecretValues? Values { get; set; }

    /// <summary>The folder all of this run's secret files are in (made at the first delivery).</summary>
    public string Root
    {
        get
        {
            lock (_gate)
            {
                return _root ??= SecretsFolder.Create(stateDirectory, environment, oneOff);
            }
        }
    }

    public string ReplicaFolder(string replica) => Path.Combine(Root, "replicas", replica);

    public string ServiceFolder(string service) => Path.Combine(Root, "services", service);

    /// <summary>Writes the replica's secrets (and the service's linked copies); returns AUTONOMY_SECRETS_DIR, set for every replica.</summary>
    public IReadOnlyDictionary<string, string> Deliver(ServicePlan plan, string replica)
    {
        var folder = ReplicaFolder(replica);
        lock (_gate)
        {
            MakeFolder(folder);
            try
            {
                foreach (var file in plan.SecretFiles)
                {
                    var value = Value(file.Source, file.Name);
                    Write(folder, file, value);
                    // A one-off command does not take over a link that a running replica's file is behind.
                    if (file.LinkPath is { } link && !(oneOff && File.Exists(link)))
                    {
                        var path = Write(MakeFolder(ServiceFolder(plan.Name)), file, value);
                        VolumeLinks.Link(link, path, warnings, plan.Name);
                    }
                }
            }
            catch
            {
                Delete(folder);
                throw;
            }
            _delivered[replica] = plan;
        }
        return new Dictionary<string, string> { ["AUTONOMY_SECRETS_DIR"] = folder };
    }

    /// <summary>Removes the replica's secrets (it stopped), and the service's copies when no replica of it is left.</summary>
    public void Remove(string replica)
    {
        lock (_gate)
        {
            if (_root is null)
            {
                return;
            }
            Delete(ReplicaFolder(replica));
            if (_delivered.Remove(replica, out var plan) && !_delivered.Values.Any(p => p.Name == plan.Name))
            {
                Delete(ServiceFolder(plan.Name));
            }
        }
    }

    /// <summary>
    /// Writes a stored secret again for every running replica granted it (its value changed); returns
    /// those replicas, each with why it could not be written, if it could not (the old file then stays).
    /// </summary>
    public IReadOnlyList<(string Replica, string? Error)> Refresh(string storeName)
    {
        var refreshed = new List<(string, string?)>();
        lock (_gate)
        {
            foreach (var (replica, plan) in _delivered)
            {
                var files = plan.SecretFiles.Where(f => f.Source is StoredSecretSource s && s.StoreName == storeName).ToList();
                if (files.Count == 0)
                {
                    continue;
                }
                try
                {
                    foreach (var file in files)
                    {
                        var value = Value(file.Source, file.Name);
                        Write(ReplicaFolder(replica), file, value);
                        if (file.LinkPath is not null)
                        {
                            Write(ServiceFolder(plan.Name), file, value);
                        }
                    }
                    refreshed.Add((replica, null));
                }
                catch (Exception e) when (e is SecretDeliveryException or IOException or UnauthorizedAccessException)
                {
                    refreshed.Add((replica, e.Message));
                }
            }
        }
        return refreshed;
    }

    /// <summary>Removes every secret file of this run (the server stops).</summary>
    public void RemoveAll()
    {
        lock (_gate)
        {
            if (_root is not null)
            {
                SecretsFolder.Remove(stateDirectory, _root, oneOff);
                _root = null;
            }
            _delivered.Clear();
        }
    }

    private byte[] Value(SecretFileSource source, string name)
    {
        try
        {
            return source switch
            {
                FileSecretSource f => File.ReadAllBytes(f.Path),
                EnvironmentSecretSource e => project().Environment.TryGetValue(e.Variable, out var value)
                    ? System.Text.Encoding.UTF8.GetBytes(value)
                    : throw new SecretDeliveryException($"secret '{name}' takes its value from ${e.Variable}, which is not set any more"),
                StoredSecretSource s => (Values ?? throw new SecretDeliveryException($"secret '{name}' is external, and there is no secret store")).Read(s.StoreName),
                _ => throw new ArgumentOutOfRangeException(nameof(source)),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Secrets.MasterKeyException or Secrets.UnknownSecretException or Secrets.SecretIntegrityException)
        {
            throw new SecretDeliveryException($"secret '{name}' cannot be delivered: {e.Message}");
        }
    }

    private static string MakeFolder(string folder)
    {
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(folder, OwnerOnly);
        File.SetUnixFileMode(folder, OwnerOnly);
        return folder;
    }

    private static string Write(string folder, SecretFilePlan file, byte[] value)
    {
        var path = Path.Combine(folder, file.FileName);
        var temporary = Path.Combine(folder, $".{file.FileName}.{Guid.NewGuid():N}.tmp");
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(value);
        }
        File.SetUnixFileMode(temporary, (UnixFileMode)file.Mode);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static void Delete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A secret could not be written for a replica (its file vanished, its key is wrong…); the message never holds a value.</summary>
public sealed class SecretDeliveryException(string message) : Exception(message);
