using Autonomy.Server.Runtime;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Tests.TestUtilities;

/// <summary>
/// A compose project in a temporary folder run by a real <see cref="Supervisor"/>, with short
/// restart delays so that supervision tests finish quickly. Everything it started is stopped when
/// it is disposed.
/// </summary>
public sealed class RunningProject : IAsyncDisposable
{
    private Supervisor? _supervisor;

    public RunningProject(string composeYaml)
    {
        Files.Write("compose.yaml", composeYaml);
    }

    public TempProject Files { get; } = new();

    public string StateDirectory => Path.Combine(Files.Directory, ".autonomy", "test");

    public Supervisor Supervisor => _supervisor ?? throw new InvalidOperationException("call UpAsync first");

    public SupervisorOptions Options { get; set; } = null!;

    public static HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<Supervisor> UpAsync(Func<SupervisorOptions, SupervisorOptions>? configure = null, Dictionary<string, string>? env = null)
    {
        var project = Files.Load(env: env);
        var options = new SupervisorOptions
        {
            StateDirectory = StateDirectory,
            RestartDelay = TimeSpan.FromMilliseconds(100),
            MaxRestartDelay = TimeSpan.FromSeconds(1),
            StableAfter = TimeSpan.FromSeconds(3),
            RestartJitter = 0,
            DependencyTimeout = TimeSpan.FromSeconds(30),
        };
        Options = configure?.Invoke(options) ?? options;
        _supervisor = new Supervisor(project, Options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _supervisor.UpAsync(ct: cts.Token);
        return _supervisor;
    }

    public ServiceStatus Service(string name) => Supervisor.Status().Single(s => s.Name == name);

    public ReplicaStatus Replica(string id) => Supervisor.Status().SelectMany(s => s.Replicas).Single(r => r.Id == id);

    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }
            await Task.Delay(25);
        }
    }

    public static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (_supervisor is not null)
        {
            await _supervisor.DisposeAsync();
        }
        Files.Dispose();
    }
}
