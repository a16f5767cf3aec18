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

    private readonly Dictionary<string, string>? _env;
    private readonly Func<SupervisorOptions, SupervisorOptions>? _configure;

    private RunningServer(TempProject files, ControlPlane plane, Dictionary<string, string>? env, Func<SupervisorOptions, SupervisorOptions>? configure)
    {
        Files = files;
        Plane = plane;
        _env = env;
        _configure = configure;
        Http = Client(ServerRecord.AdminToken(plane.StateDirectory));
    }

    public TempProject Files { get; }

    public ControlPlane Plane { get; private set; }

    public HttpClient Http { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Plane.Port}");

    /// <summary>
    /// Writes the compose file (and any other <paramref name="files"/>, by relative path), then starts the server and the services;
    /// <paramref name="env"/> is the environment the files are read with (shell and .env), <paramref name="configure"/> changes the supervisor's options.
    /// </summary>
    public static async Task<RunningServer> StartAsync(string composeYaml, IReadOnlyDictionary<string, string>? files = null,
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
            return new(folder, await StartPlaneAsync(folder, 0, env, configure), env, configure);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    private static async Task<ControlPlane> StartPlaneAsync(TempProject files, int port, Dictionary<string, string>? env, Func<SupervisorOptions, SupervisorOptions>? configure)
    {
        var project = files.Load(env: env);
        var options = new SupervisorOptions { StateDirectory = Path.Combine(files.Directory, ".autonomy", project.Name) };
        var plane = new ControlPlane(project, configure?.Invoke(options) ?? options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await plane.ListenAsync(port, cts.Token);
            await plane.UpAsync(null, cts.Token);
        }
        catch
        {
            await plane.DisposeAsync();
            throw;
        }
        return plane;
    }

    /// <summary>Stops the server and its services as <c>down</c> would, keeping the files: the config store and the admin token stay.</summary>
    public async Task StopAsync()
    {
        _running = false;
        await Plane.DisposeAsync();
    }

    /// <summary>Starts a new server on the same files and the same port, as a restart of the platform would.</summary>
    public async Task StartAgainAsync()
    {
        Plane = await StartPlaneAsync(Files, BaseAddress.Port, _env, _configure);
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
            await Plane.DisposeAsync();
        }
        Files.Dispose();
    }
}
