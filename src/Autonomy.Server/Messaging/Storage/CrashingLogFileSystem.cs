namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// An in-memory disk that forgets, when it "crashes", everything that was not made durable: per file it keeps the
/// durable bytes and the writes since the last fsync; a created or deleted name is durable only once its directory
/// was synced. <see cref="FailAfter"/> makes the machine stop mid-stream (every later write, flush or sync throws),
/// <see cref="Crash"/> restarts it. A real process killed with SIGKILL cannot show this, because the kernel keeps
/// the written pages; this can, at any point, as often as a test likes.
/// </summary>
public sealed partial class CrashingLogFileSystem : ILogFileSystem
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Node> _live = new(StringComparer.Ordinal);
    private Dictionary<string, Node> _durable = new(StringComparer.Ordinal);
    private int _generation;
    private long _operations;
    private long _failAt = long.MaxValue;
    private long _writes;
    private long _flushes;
    private long _directorySyncs;
    private long _bytesWritten;

    /// <summary>Writes, flushes, truncations, creations, deletions and directory syncs performed (the ones <see cref="FailAfter"/> counts).</summary>
    public long Operations { get { lock (_gate) { return _operations; } } }

    public long Writes { get { lock (_gate) { return _writes; } } }

    public long Flushes { get { lock (_gate) { return _flushes; } } }

    public long DirectorySyncs { get { lock (_gate) { return _directorySyncs; } } }

    public long BytesWritten { get { lock (_gate) { return _bytesWritten; } } }

    /// <summary>The next <paramref name="operations"/> mutating operations succeed; every later one throws IOException, until <see cref="Crash"/>.</summary>
    public void FailAfter(int operations)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(operations);
        lock (_gate)
        {
            _failAt = _operations + operations;
        }
    }

    /// <summary>
    /// The machine loses power and comes back: every file returns to its durable bytes, names created since their
    /// directory's last sync vanish and names deleted since come back; handles opened before are dead. With
    /// <paramref name="torn"/>, each file keeps a random prefix of its pending writes (the kernel had flushed part of
    /// them), the last of which may itself be cut.
    /// </summary>
    public void Crash(Random? torn = null)
    {
        lock (_gate)
        {
            foreach (var node in _durable.Values.Distinct())
            {
                node.Crash(torn);
            }
            _live.Clear();
            foreach (var (path, node) in _durable)
            {
                _live[path] = node;
            }
            _generation++;
            _failAt = long.MaxValue;
        }
    }

    /// <summary>The current bytes of a file (what a read would see), for tests.</summary>
    public byte[] ReadAllBytes(string path)
    {
        lock (_gate)
        {
            return Find(path).Current.ToArray();
        }
    }

    public bool Exists(string path)
    {
        lock (_gate)
        {
            return _live.ContainsKey(path);
        }
    }

    public void CreateDirectory(string path)
    {
        lock (_gate)
        {
            _directories.Add(Normalize(path));
        }
    }

    public IReadOnlyList<string> ListFiles(string directory)
    {
        lock (_gate)
        {
            var folder = ExistingDirectory(directory);
            var names = _live.Keys.Where(p => Parent(p) == folder).Select(p => p[(folder.Length + 1)..]).ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    public ILogFile Open(string path, bool create)
    {
        lock (_gate)
        {
            var key = Normalize(path);
            ExistingDirectory(Parent(key));
            if (!_live.TryGetValue(key, out var node))
            {
                if (!create)
                {
                    throw new FileNotFoundException($"no file {key}", key);
                }
                Tick("create", key);
                node = new Node();
                _live[key] = node;
            }
            return new Handle(this, node, key, _generation);
        }
    }

    public void Delete(string path)
    {
        lock (_gate)
        {
            var key = Normalize(path);
            Tick("delete", key);
            _live.Remove(key);
        }
    }

    public void SyncDirectory(string directory)
    {
        lock (_gate)
        {
            var folder = ExistingDirectory(directory);
            Tick("sync directory", folder);
            _directorySyncs++;
            var next = new Dictionary<string, Node>(StringComparer.Ordinal);
            foreach (var (path, node) in _durable)
            {
                if (Parent(path) != folder)
                {
                    next[path] = node;
                }
            }
            foreach (var (path, node) in _live)
            {
                if (Parent(path) == folder)
                {
                    next[path] = node;
                }
            }
            _durable = next;
        }
    }

    private Node Find(string path) =>
        _live.TryGetValue(Normalize(path), out var node) ? node : throw new FileNotFoundException($"no file {path}", path);

    private string ExistingDirectory(string path)
    {
        var folder = Normalize(path);
        return _directories.Contains(folder) ? folder : throw new DirectoryNotFoundException($"no directory {folder}");
    }

    /// <summary>Counts a mutating operation, or throws when the machine has "stopped".</summary>
    private void Tick(string operation, string path)
    {
        if (_operations >= _failAt)
        {
            throw new IOException($"simulated disk failure: {operation} {path} after {_failAt} operations");
        }
        _operations++;
    }

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    private static string Parent(string path) => Path.GetDirectoryName(path) ?? "/";
}
