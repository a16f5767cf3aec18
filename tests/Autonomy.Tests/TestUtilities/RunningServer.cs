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
    private RunningServer(TempProject files, ControlPlane plane)
    {
        Files = files;
        Plane = plane;
        Http = Client(ServerRecord.AdminToken(plane.StateDirectory));
    }

    public TempProject Files { get; }

    public ControlPlane Plane { get; }

    public HttpClient Http { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Plane.Port}");

    /// <summary>Writes the compose file (and any other <paramref name="files"/>, by relative path), then starts the server and the services.</summary>
    public static async Task<RunningServer> StartAsync(string composeYaml, IReadOnlyDictionary<string, string>? files = null)
    {
        var folder = new TempProject();
        folder.Write("compose.yaml", composeYaml);
        foreach (var (path, text) in files ?? new Dictionary<string, string>())
        {
            folder.Write(path, text);
        }
        return await StartInAsync(folder);
    }

    private static async Task<RunningServer> StartInAsync(TempProject files)
    {
        var project = files.Load();
        var plane = new ControlPlane(project, new SupervisorOptions { StateDirectory = Path.Combine(files.Directory, ".autonomy", project.Name) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await plane.ListenAsync(0, cts.Token);
        await plane.UpAsync(null, cts.Token);
        return new RunningServer(files, plane);
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
        await Plane.DisposeAsync();
        Files.Dispose();
    }
}
