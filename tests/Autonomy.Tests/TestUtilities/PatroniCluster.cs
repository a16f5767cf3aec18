using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Autonomy.Server.Runtime.Processes;

namespace Autonomy.Tests.TestUtilities;

/// <summary>One Patroni node: its Patroni process (the leader of its own process group) and the PostgreSQL it runs.</summary>
public sealed record PatroniNode(string Name, int PostgresPort, int ApiPort, string Directory)
{
    public Process? Patroni { get; set; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public string Host => $"127.0.0.1:{PostgresPort}";
}

/// <summary>
/// A two-node Patroni cluster on loopback, as Debian packages it: one etcd, and two Patroni nodes each
/// running a PostgreSQL of its own on a free port with its own data folder, as the postgres user
/// (through runuser when root), with synchronous_mode, so that a commit is acknowledged only once the
/// standby has it. Every process it started is stopped when it is disposed, a killed node's included.
/// The programs' absence fails the test that needs them, with how to install them; it never skips it.
/// </summary>
public sealed class PatroniCluster : IAsyncDisposable
{
    public const string Admin = "admin";

    /// <summary>Patroni's leader key lives this long without renewal: after a leader's death, a standby takes over within about this.</summary>
    public const int TtlSeconds = 10;

    private static readonly HttpClient Api = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly string _folder;
    private readonly string _scope = "autonomy-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<PatroniNode> _killed = [];

    // Patroni and the postmaster run below runuser and setsid: killed, they are orphans handed to this process
    // (the supervisor makes it a subreaper), which must reap them or leave zombies until the test run ends.
    private readonly HashSet<int> _orphans = [];
    private Process? _etcd;
    private bool _disposed;

    private PatroniCluster(string folder, IReadOnlyList<PatroniNode> nodes)
    {
        _folder = folder;
        Nodes = nodes;
    }

    public IReadOnlyList<PatroniNode> Nodes { get; }

    public string AdminPassword { get; } = "admin-" + Guid.NewGuid().ToString("N")[..12];

    private string ReplicationPassword { get; } = "replication-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The x-autonomy.databases value that names this cluster: both nodes, so that clients route to whichever is the primary.</summary>
    public string Url => $"postgres://{Admin}@{string.Join(",", Nodes.Select(n => n.Host))}";

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Starts etcd and both nodes, and returns once one node leads and the other is its synchronous standby.</summary>
    public static async Task<PatroniCluster> StartAsync(TimeSpan timeout)
    {
        var patroni = Find("patroni");
        var etcd = Find("etcd");
        if (patroni is null || etcd is null || PostgresServerFixture.FindBinaries() is not { } binaries)
        {
            throw new InvalidOperationException("Patroni and etcd are not installed, and the failover test needs a real cluster: "
                + "run scripts/test (it installs Debian's patroni and etcd-server as root) or apt-get install patroni etcd-server");
        }
        var folder = Path.Combine(Path.GetTempPath(), "autonomy-patroni-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var ports = Enumerable.Range(0, 6).Select(_ => PostgresServerFixture.FreePort()).Distinct().ToList();
        if (ports.Count < 6)
        {
            ports = [.. ports.Concat(Enumerable.Range(0, 6).Select(_ => PostgresServerFixture.FreePort())).Distinct().Take(6)];
        }
        var cluster = new PatroniCluster(folder, [new("node1", ports[0], ports[1], Path.Combine(folder, "node1")), new("node2", ports[2], ports[3], Path.Combine(folder, "node2"))]);
        try
        {
            cluster.StartEtcd(etcd, ports[4], ports[5]);
            foreach (var node in cluster.Nodes)
            {
                cluster.StartNode(patroni, node, binaries.Directory, ports[4]);
            }
            await cluster.WaitForSyncStandbyAsync(timeout);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The cluster as Patroni's REST API on <paramref name="node"/> describes it: each member's name and role (leader, sync_standby, replica).</summary>
    public static async Task<IReadOnlyList<(string Name, string Role, string State)>> MembersAsync(PatroniNode node)
    {
        using var document = JsonDocument.Parse(await Api.GetStringAsync($"http://127.0.0.1:{node.ApiPort}/cluster"));
        return [.. document.RootElement.GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("name").GetString()!, m.GetProperty("role").GetString()!, m.GetProperty("state").GetString()!))];
    }

    /// <summary>The leader's name as <paramref name="node"/>'s REST API reports it, or null while there is none (or it does not answer).</summary>
    public static async Task<string?> LeaderAsync(PatroniNode node)
    {
        try
        {
            return (await MembersAsync(node)).FirstOrDefault(m => m.Role == "leader" && m.State == "running").Name;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Kills the node as a machine failure would: its Patroni (the whole process group) and its
    /// PostgreSQL, which Patroni runs in a session of its own, both with SIGKILL. Killing only
    /// PostgreSQL would not do: Patroni would start it again.
    /// </summary>
    public void Kill(PatroniNode node)
    {
        var postmaster = PostmasterOf(node);
        NoteOrphans(node);
        ProcessGroups.SignalGroup(node.Patroni!.Id, Signals.SIGKILL);
        if (postmaster is { } pid && GroupOf(pid) is { } group && group > 1)
        {
            ProcessGroups.SignalGroup(group, Signals.SIGKILL);
        }
        _killed.Add(node);
    }

    private void StartEtcd(string etcd, int clientPort, int peerPort)
    {
        var client = $"http://127.0.0.1:{clientPort}";
        var peer = $"http://127.0.0.1:{peerPort}";
        _etcd = Launch(etcd, ["--name", "dcs", "--data-dir", Path.Combine(_folder, "etcd"), "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"dcs={peer}", "--log-level", "warn"], Path.Combine(_folder, "etcd.log"), asServerUser: false);
    }

    private void StartNode(string patroni, PatroniNode node, string binaries, int etcdPort)
    {
        Directory.CreateDirectory(node.Directory);
        var config = Path.Combine(node.Directory, "patroni.yml");
        // loop_wait 1 s and ttl 10 s: a dead leader is replaced in about 10 s rather than Patroni's default 30.
        File.WriteAllText(config, $"""
            scope: {_scope}
            namespace: /autonomy-test/
            name: {node.Name}
            restapi:
              listen: 127.0.0.1:{node.ApiPort}
              connect_address: 127.0.0.1:{node.ApiPort}
            etcd3:
              hosts: 127.0.0.1:{etcdPort}
            bootstrap:
              dcs:
                ttl: {TtlSeconds}
                loop_wait: 1
                retry_timeout: 3
                synchronous_mode: true
                postgresql:
                  use_pg_rewind: false
                  parameters:
                    max_connections: 50
              initdb:
                - encoding: UTF8
                - no-locale
                - no-sync
              pg_hba:
                - host replication replicator 127.0.0.1/32 scram-sha-256
                - host all all 127.0.0.1/32 scram-sha-256
            postgresql:
              listen: 127.0.0.1:{node.PostgresPort}
              connect_address: 127.0.0.1:{node.PostgresPort}
              data_dir: {node.DataDirectory}
              bin_dir: {binaries}
              pgpass: {Path.Combine(node.Directory, "pgpass")}
              authentication:
                superuser:
                  username: {Admin}
                  password: {AdminPassword}
                replication:
                  username: replicator
                  password: {ReplicationPassword}
              parameters:
                unix_socket_directories: {node.Directory}
            """);
        if (IsRoot)
        {
            Run("chown", "-R", "postgres:", node.Directory);
        }
        node.Patroni = Launch(patroni, [config], Path.Combine(node.Directory, "patroni.log"), asServerUser: true);
    }

    private async Task WaitForSyncStandbyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var node in Nodes.Where(n => n.Patroni!.HasExited))
            {
                throw new InvalidOperationException($"Patroni {node.Name} exited with code {node.Patroni!.ExitCode}:\n{Tail(Path.Combine(node.Directory, "patroni.log"))}");
            }
            try
            {
                var members = await MembersAsync(Nodes[0]);
                if (members.Count == 2 && members.Any(m => m.Role == "leader" && m.State == "running") && members.Any(m => m.Role == "sync_standby" && m.State is "running" or "streaming"))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the Patroni cluster did not get a leader and a synchronous standby within {timeout.TotalSeconds:0} s:\n"
                    + string.Join("\n", Nodes.Select(n => $"--- {n.Name}\n{Tail(Path.Combine(n.Directory, "patroni.log"))}")));
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Starts <paramref name="program"/> as the leader of a new session and process group, so that the whole group can be signalled.</summary>
    private static Process Launch(string program, IEnumerable<string> arguments, string log, bool asServerUser)
    {
        // sh and then setsid exec in place (this child leads no group yet, so setsid need not fork): the process's id is its group's.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var word in new[] { "-c", "exec setsid \"$@\" >\"$LOG\" 2>&1 </dev/null", "sh" }
            .Concat(asServerUser && IsRoot ? ["runuser", "-u", "postgres", "--", program] : [program]).Concat(arguments))
        {
            start.ArgumentList.Add(word);
        }
        start.Environment["LOG"] = log;
        var process = Process.Start(start)!;
        // Signals go to the group from here on: wait until setsid has made it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (GroupOf(process.Id) != process.Id && !process.HasExited)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{program} did not become the leader of a process group of its own");
            }
            Thread.Sleep(5);
        }
        return process;
    }

    private static int? PostmasterOf(PatroniNode node)
    {
        try
        {
            var first = File.ReadLines(Path.Combine(node.DataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int? GroupOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The shared memory segment of a killed server, which nobody else removes (postmaster.pid's seventh line: key and id).</summary>
    private static void RemoveSharedMemory(PatroniNode node)
    {
        try
        {
            var line = File.ReadLines(Path.Combine(node.DataDirectory, "postmaster.pid")).ElementAtOrDefault(6);
            if (line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var id])
            {
                Run("ipcrm", "-m", id);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
        }
    }

    /// <summary>The node's processes that are not children of this one: Patroni below runuser, and its PostgreSQL.</summary>
    private void NoteOrphans(PatroniNode node)
    {
        if (PostmasterOf(node) is { } postmaster)
        {
            _orphans.Add(postmaster);
        }
        if (node.Patroni is { } group)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0])))
            {
                if (GroupOf(int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)) == group.Id)
                {
                    _orphans.Add(int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture));
                }
            }
            _orphans.Remove(group.Id);
        }
    }

    private void ReapOrphans()
    {
        foreach (var pid in _orphans)
        {
            LibC.WaitPid(pid, out _, LibC.WNoHang);
        }
    }

    /// <summary>Processes of the cluster still there (zombies included): none once it is disposed.</summary>
    public IReadOnlyList<string> Leftovers()
    {
        var left = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0])))
        {
            try
            {
                var pid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                if (_orphans.Contains(pid) || command.Contains(_folder, StringComparison.Ordinal) || command.StartsWith($"postgres: {_scope}: ", StringComparison.Ordinal))
                {
                    left.Add($"{pid} {File.ReadAllText(Path.Combine(dir, "stat")).Split(' ')[2]} {command}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return left;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var node in Nodes.Where(n => n.Patroni is { HasExited: false } && !_killed.Contains(n)))
        {
            NoteOrphans(node);
        }
        // Patroni stops its PostgreSQL on SIGTERM (fast shutdown); whatever is left after that is killed.
        foreach (var node in Nodes.Where(n => n.Patroni is not null && !_killed.Contains(n)))
        {
            ProcessGroups.SignalGroup(node.Patroni!.Id, Signals.SIGTERM);
        }
        foreach (var node in Nodes.Where(n => n.Patroni is not null))
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await node.Patroni!.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
            }
            ProcessGroups.SignalGroup(node.Patroni!.Id, Signals.SIGKILL);
            if (PostmasterOf(node) is { } pid && ProcessGroups.IsRunning(pid) && GroupOf(pid) is { } group && group > 1)
            {
                ProcessGroups.SignalGroup(group, Signals.SIGKILL);
                _killed.Add(node);
            }
            node.Patroni.Dispose();
        }
        foreach (var node in _killed.Distinct())
        {
            // A killed server's backends end on their own once they see their postmaster gone.
            await WaitUntilGoneAsync(node);
            RemoveSharedMemory(node);
        }
        if (_etcd is not null)
        {
            ProcessGroups.SignalGroup(_etcd.Id, Signals.SIGTERM);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _etcd.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                ProcessGroups.SignalGroup(_etcd.Id, Signals.SIGKILL);
            }
            _etcd.Dispose();
        }
        ReapOrphans();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Waits (a few seconds at most) until no process of the node's PostgreSQL is left: they show the cluster's name in their titles.</summary>
    private async Task WaitUntilGoneAsync(PatroniNode node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && RemainingProcesses(node).Count > 0)
        {
            await Task.Delay(100);
        }
        foreach (var pid in RemainingProcesses(node))
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
            }
        }
    }

    /// <summary>PostgreSQL processes of this cluster still running on the killed node's port or data folder.</summary>
    private List<int> RemainingProcesses(PatroniNode node)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0])))
        {
            try
            {
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var pid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                if ((command.Contains(node.DataDirectory, StringComparison.Ordinal) || command.StartsWith($"postgres: {_scope}: ", StringComparison.Ordinal) && BelongsTo(pid, node))
                    && ProcessGroups.IsRunning(pid))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    /// <summary>Whether a backend of the cluster's name is the killed node's: the surviving node's backends have a living postmaster as parent.</summary>
    private bool BelongsTo(int pid, PatroniNode node)
    {
        var alive = Nodes.Where(n => n != node && !_killed.Contains(n)).Select(PostmasterOf).Where(p => p is not null).ToHashSet();
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
            return !alive.Contains(parent);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/usr/sbin")
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    private static string Tail(string path) => File.Exists(path) ? string.Join("\n", File.ReadLines(path).TakeLast(15)) : "(no log)";

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
    }
}
