using System.Net.Http.Headers;
using Autonomy.Server.Hosting;
using Autonomy.Server.Runtime;

namespace Autonomy.Tests.TestUtilities;

/// <summary>
/// A control plane in this process, listening on loopback as the real server does, for API tests
/// that need many calls and no CLI. <see cref="Http"/> carries the admin token.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private bool _running = true;

    private RunningServer(TempProject files, ControlPlane plane)
    {
        Files = files;
        Plane = plane;
        Http = Client(ServerRecord.AdminToken(plane.StateDirectory));
    }

    public TempProject Files { get; }

    public ControlPlane Plane { get; private set; }

    public HttpClient Http { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Plane.Port}");

    /// <summary>
    /// Writes the compose file (and any other <paramref name="files"/>, by relative path), then starts the server and the services.
    /// <paramref name="prepare"/> runs on the project's state folder first (to set secrets as the CLI does while the project is stopped);
    /// <paramref name="environment"/> is added to the environment the server runs in (and its services inherit);
    /// <paramref name="env"/> is the one the compose files are read with (the shell and .env), <paramref name="configure"/> changes the supervisor's options.
    /// </summary>
    public static async Task<RunningServer> StartAsync(string composeYaml, IReadOnlyDictionary<string, string>? files = null,
        Action<string>? prepare = null, IReadOnlyDictionary<string, string>? environment = null,
        Dictionary<string, string>? env = null, Func<SupervisorOptions, SupervisorOptions>? configure = null)
    {
        var folder = new TempProject();
        folder.Write("compose.yaml", composeYaml);
        foreach (var (path, text) in files ?? new Dictionary<string, string>())
        {
            folder.Write(path, text);
        }
        try
        {
            prepare?.Invoke(Path.Combine(folder.Directory, ".autonomy", folder.Load(env: env).Name));
            return new(folder, await StartPlaneAsync(folder, 0, environment, env, configure)) { _environment = environment, _env = env, _configure = configure };
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    private IReadOnlyDictionary<string, string>? _environment;
    private Dictionary<string, string>? _env;
    private Func<SupervisorOptions, SupervisorOptions>? _configure;

    private static async Task<ControlPlane> StartPlaneAsync(TempProject files, int port, IReadOnlyDictionary<string, string>? environment,
        Dictionary<string, string>? env, Func<SupervisorOptions, SupervisorOptions>? configure)
    {
        var project = files.Load(env: env);
        Dictionary<string, string>? inherited = null;
        if (environment is not null)
        {
            inherited = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
            foreach (var (key, value) in environment)
            {
                inherited[key] = value;
            }
        }
        var options = new SupervisorOptions { StateDirectory = Path.Combine(files.Directory, ".autonomy", project.Name), InheritedEnvironment = inherited };
        var plane = new ControlPlane(project, configure?.Invoke(options) ?? options);
        try
        {
            // A managed PostgreSQL's first start runs initdb, which takes seconds on a slow disk.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await WithinAsync(plane.ListenAsync(port, cts.Token), StartLimit, () => $"the server did not start within {StartLimit.TotalSeconds} s (phase '{plane.Phase}')");
            await WithinAsync(plane.UpAsync(null, cts.Token), StartLimit, () => $"the services did not come up within {StartLimit.TotalSeconds} s (phase '{plane.Phase}')");
            return plane;
        }
        catch
        {
            await StopPlaneAsync(plane);
            throw;
        }
    }

    /// <summary>Stops the server and its services as <c>down</c> would, keeping the files: the config store and the admin token stay.</summary>
    public async Task StopAsync()
    {
        _running = false;
        await StopPlaneAsync(Plane);
    }

    // Past these, a start or a stop is stuck: the test fails saying where, instead of holding up the whole run.
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(60);

    private static Task StopPlaneAsync(ControlPlane plane) =>
        WithinAsync(plane.DisposeAsync().AsTask(), StopLimit, () => $"the server did not stop within {StopLimit.TotalSeconds} s: stuck stopping its {plane.Stopping}");

    private static async Task WithinAsync(Task task, TimeSpan limit, Func<string> stuck)
    {
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(stuck());
        }
    }

    /// <summary>Starts a new server on the same files and the same port, as a restart of the platform would.</summary>
    public async Task StartAgainAsync()
    {
        Plane = await StartPlaneAsync(Files, BaseAddress.Port, _environment, _env, _configure);
        _running = true;
    }

    /// <summary>A client of this server with <paramref name="token"/> (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_running)
        {
            await StopPlaneAsync(Plane);
        }
        Files.Dispose();
    }
}
