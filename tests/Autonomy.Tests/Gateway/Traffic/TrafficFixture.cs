using System.Text.Json.Nodes;
using Autonomy.Server.Gateway.Traffic;
using Autonomy.Server.Store;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary>Traffic control over a store in a temporary folder, served by a <see cref="TrafficHost"/>; reopened as a restarted server would.</summary>
internal sealed class TrafficFixture : IAsyncDisposable
{
    private readonly TempProject _folder = new();
    private readonly TimeProvider? _time;
    private SqliteConfigStore _store = null!;

    private TrafficFixture(TimeProvider? time) => _time = time;

    public TrafficControl Traffic { get; private set; } = null!;

    public TrafficHost Host { get; private set; } = null!;

    public string StorePath => _folder.PathOf("config.db");

    /// <summary>The database the store is open on now: <see cref="StorePath"/>, or its copy after <see cref="CrashAndRestartAsync"/>.</summary>
    public string OpenPath { get; private set; } = "";

    public static async Task<TrafficFixture> StartAsync(TimeProvider? time = null)
    {
        var fixture = new TrafficFixture(time);
        await fixture.OpenAsync(fixture.StorePath);
        fixture.Host = await TrafficHost.StartAsync(() => fixture.Traffic);
        return fixture;
    }

    /// <summary>Routes as the gateway hands them over: id and the route's JSON.</summary>
    public void Load(params (string RouteId, string Json)[] routes)
    {
        var problems = new List<string>();
        var parsed = routes.Select(r => (r.RouteId, RouteTraffic.Parse(JsonNode.Parse(r.Json)!.AsObject(), r.RouteId, problems))).ToList();
        Assert.Empty(problems);
        Traffic.Load(parsed);
    }

    public Task<(ApiKey Key, string Secret)> CreateKeyAsync(string[] routes, string? quota = null)
    {
        KeyQuota? parsed = null;
        Assert.True(quota is null || KeyQuota.TryParse(quota, out parsed, out _));
        return Traffic.Keys.CreateAsync(null, routes, parsed, _ => null, CancellationToken.None);
    }

    /// <summary>Closes the store (as a server that stops) and opens it again, with new traffic control: only what the store kept remains.</summary>
    public async Task RestartAsync()
    {
        await CloseAsync();
        await OpenAsync(StorePath);
    }

    /// <summary>
    /// Copies the store's files as they are on disk now, while it is open (what a kill -9 leaves behind: the
    /// database and its write-ahead log), then goes on from that copy as a server started on it would.
    /// </summary>
    public async Task CrashAndRestartAsync()
    {
        var crashed = _folder.PathOf("crashed/config.db");
        Directory.CreateDirectory(Path.GetDirectoryName(crashed)!);
        foreach (var suffix in new[] { "", "-wal" })
        {
            if (File.Exists(StorePath + suffix))
            {
                File.Copy(StorePath + suffix, crashed + suffix);
            }
        }
        await CloseAsync();
        await OpenAsync(crashed);
    }

    /// <summary>Closes the store under the running traffic control, as a store that no longer takes writes.</summary>
    public async Task CloseStoreAsync()
    {
        await _store.DisposeAsync();
        _storeClosed = true;
    }

    private bool _storeClosed;

    private async Task OpenAsync(string path)
    {
        _store = SqliteConfigStore.Open(path);
        _storeClosed = false;
        OpenPath = path;
        Traffic = await TrafficControl.OpenAsync(_store, _time);
    }

    private async Task CloseAsync()
    {
        await Traffic.DisposeAsync();
        if (!_storeClosed)
        {
            await _store.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await CloseAsync();
        _folder.Dispose();
    }
}
