using Autonomy.Server.Store;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Store;

/// <summary>Watches and blocking waits: every change arrives once, in order, a revision at a time, even across a resume.</summary>
public sealed class ConfigStoreWatchTests : IAsyncLifetime
{
    private readonly TempProject _folder = new();
    private SqliteConfigStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = SqliteConfigStore.OpenWith(Path.Combine(_folder.Directory, "config.db"), watcherBuffer: 4);
        await _store.CreateNamespaceAsync("web", "admin");
        await _store.CreateNamespaceAsync("other", "admin");
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    private Task<CommitResult> Put(string ns, string key, string value) =>
        _store.CommitAsync(new StoreTransaction(ns, [StoreOperation.Put(key, value)], "admin"));

    [Fact]
    public async Task AWatchReplaysFromARevisionThenFollows()
    {
        var start = _store.Revision;
        await Put("web", "A", "1");
        await Put("other", "X", "ignored");
        await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Put("B", "2"), StoreOperation.Put("C", "3")], "admin"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<IReadOnlyList<ChangeEvent>>();
        var watching = Task.Run(async () =>
        {
            await foreach (var revision in _store.WatchAsync("web", start, cts.Token))
            {
                seen.Add(revision);
                if (seen.Count == 4)
                {
                    break;
                }
            }
        });
        await Task.Delay(200);
        await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Delete("A")], "admin"));
        await Put("web", "D", "4");
        await watching.WaitAsync(cts.Token);

        Assert.Equal(["A", "B,C", "A", "D"], seen.Select(r => string.Join(",", r.Select(c => c.Key))));
        Assert.True(seen[2][0].Deleted);
        Assert.Equal(seen.Select(r => r[0].Revision).Order(), seen.Select(r => r[0].Revision));
        Assert.All(seen.SelectMany(r => r), c => Assert.Equal("web", c.Namespace));
    }

    [Fact]
    public async Task ASlowWatcherMissesNothing()
    {
        var start = _store.Revision;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var watch = _store.WatchAsync("web", start, cts.Token).GetAsyncEnumerator(cts.Token);
        var first = watch.MoveNextAsync(); // subscribes, then waits for the first write below
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await Put("web", $"K{i:00}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        });
        Assert.True(await first);
        await writes;
        // The watcher's buffer holds 4 revisions: it overflowed long ago and must resume from the history.
        var keys = new List<string> { watch.Current[0].Key };
        while (keys.Count < 50 && await watch.MoveNextAsync())
        {
            keys.Add(watch.Current[0].Key);
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"K{i:00}"), keys);
    }

    [Fact]
    public async Task AWaitReturnsAtTheChangeOrAtTheTimeout()
    {
        var revision = _store.Namespace("web")!.Revision;
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(revision, await _store.WaitAsync("web", revision, TimeSpan.FromMilliseconds(300)));
        Assert.True(started.ElapsedMilliseconds >= 250);

        var waiting = _store.WaitAsync("web", revision, TimeSpan.FromSeconds(20));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await Put("other", "X", "1");
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted); // another namespace's change does not wake it
        var written = await Put("web", "A", "1");
        Assert.Equal(written.Revision, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));

        // Already past: returns at once.
        Assert.Equal(written.Revision, await _store.WaitAsync("web", revision, TimeSpan.FromSeconds(20)).WaitAsync(TimeSpan.FromSeconds(1)));
    }
}
