using Autonomy.Server.Store;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Store;

/// <summary>The embedded config store on a real SQLite file: revisions, history, transactions, durability settings.</summary>
public sealed class SqliteConfigStoreTests : IAsyncLifetime
{
    private readonly TempProject _folder = new();
    private SqliteConfigStore _store = null!;

    private string StorePath => Path.Combine(_folder.Directory, "config.db");

    public async Task InitializeAsync()
    {
        _store = SqliteConfigStore.Open(StorePath);
        await _store.CreateNamespaceAsync("web", "admin");
        await _store.CreateNamespaceAsync("shared", "admin");
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    private Task<CommitResult> Put(string ns, string key, string value, string author = "admin") =>
        _store.CommitAsync(new StoreTransaction(ns, [StoreOperation.Put(key, value)], author));

    [Fact]
    public async Task EveryChangeTakesTheNextGlobalRevision()
    {
        var start = _store.Revision;
        var a = await Put("web", "Logging:LogLevel:Default", "Information");
        var b = await Put("shared", "Region", "eu");
        var c = await Put("web", "Logging:LogLevel:Default", "Debug");
        Assert.Equal([start + 1, start + 2, start + 3], new[] { a.Revision, b.Revision, c.Revision });
        Assert.Equal(start + 3, _store.Revision);

        var entry = _store.Get("web", "Logging:LogLevel:Default")!;
        Assert.Equal(("Debug", start + 3, start + 1, 2L), (entry.Value, entry.Revision, entry.CreateRevision, entry.Version));
        Assert.Equal(start + 3, _store.Namespace("web")!.Revision);
        Assert.Equal(start + 2, _store.Namespace("shared")!.Revision);
    }

    [Fact]
    public async Task HistoryKeepsEveryVersionWithItsAuthorAndDeletions()
    {
        await Put("web", "Greeting", "hello", "admin");
        await Put("web", "Greeting", "hi", "service:web");
        await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Delete("Greeting")], "admin"));
        await Put("web", "Greeting", "hey", "admin");

        var history = _store.History("web", "Greeting");
        Assert.Equal(["hey", null, "hi", "hello"], history.Select(v => v.Value));
        Assert.Equal(["admin", "admin", "service:web", "admin"], history.Select(v => v.Author));
        Assert.True(history[1].Deleted);
        var recreated = _store.Get("web", "Greeting")!;
        Assert.Equal((1L, recreated.Revision), (recreated.Version, recreated.CreateRevision));
    }

    [Fact]
    public async Task ATransactionIsOneRevisionOrNothing()
    {
        await Put("web", "A", "1");
        var before = _store.Revision;
        var together = await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Put("B", "2"), StoreOperation.Put("C", "3"), StoreOperation.Delete("A")], "admin"));
        Assert.True(together.Succeeded);
        Assert.Equal(before + 1, together.Revision);
        Assert.Equal(["B", "C"], _store.List("web").Select(e => e.Key));
        Assert.All(_store.List("web"), e => Assert.Equal(before + 1, e.Revision));

        // A failed compare writes none of it.
        var refused = await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Put("B", "20"), StoreOperation.Put("D", "4")], "admin")
        {
            Compares = [new StoreCompare("C", 1)],
        });
        Assert.False(refused.Succeeded);
        Assert.Equal(before + 1, refused.FoundRevision);
        Assert.Equal("2", _store.Get("web", "B")!.Value);
        Assert.Null(_store.Get("web", "D"));
        Assert.Equal(before + 1, _store.Revision);
    }

    [Fact]
    public async Task CompareAndSetOnAKeyAndOnTheNamespace()
    {
        var created = await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Put("Lock", "a")], "admin") { Compares = [new StoreCompare("Lock", 0)] });
        Assert.True(created.Succeeded);
        var again = await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Put("Lock", "b")], "admin") { Compares = [new StoreCompare("Lock", 0)] });
        Assert.False(again.Succeeded);
        Assert.Equal(created.Revision, again.FoundRevision);
        var swapped = await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Put("Lock", "b")], "admin") { Compares = [new StoreCompare("Lock", created.Revision)] });
        Assert.True(swapped.Succeeded);

        var stale = await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Put("X", "1")], "admin") { Compares = [new StoreCompare(null, created.Revision)] });
        Assert.False(stale.Succeeded);
        var current = await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Put("X", "1")], "admin") { Compares = [new StoreCompare(null, swapped.Revision)] });
        Assert.True(current.Succeeded);
    }

    [Fact]
    public async Task DeletingWhatIsNotThereChangesNothing()
    {
        var before = _store.Revision;
        var result = await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Delete("Missing")], "admin"));
        Assert.True(result.Succeeded);
        Assert.False(result.Changed);
        Assert.Equal(before, _store.Revision);
    }

    [Fact]
    public async Task AnUnknownNamespaceIsRefused()
    {
        await Assert.ThrowsAsync<UnknownNamespaceException>(() => Put("nope", "A", "1"));
        Assert.Throws<UnknownNamespaceException>(() => _store.List("nope"));
    }

    [Fact]
    public async Task ReopeningFindsEverythingAcknowledged()
    {
        await Put("web", "A", "1");
        await Put("web", "B", "2");
        await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Delete("A")], "admin"));
        var revision = _store.Revision;
        await _store.DisposeAsync();

        _store = SqliteConfigStore.Open(StorePath);
        Assert.Equal(revision, _store.Revision);
        Assert.Equal(revision, _store.Namespace("web")!.Revision);
        Assert.Equal(revision - 3, _store.Namespace("shared")!.Revision); // made second, never changed
        Assert.Equal(["B"], _store.List("web").Select(e => e.Key));
        Assert.Equal(["shared", "web"], _store.Namespaces().Select(n => n.Name));
        Assert.Equal(revision + 1, (await Put("web", "C", "3")).Revision);
    }

    [Fact]
    public async Task TheNamespaceAsItWasAtARevision()
    {
        var first = await Put("web", "A", "1");
        await Put("web", "B", "2");
        await Put("web", "A", "10");
        await _store.CommitAsync(new StoreTransaction("web", [StoreOperation.Delete("B")], "admin"));

        Assert.Equal(new Dictionary<string, string> { ["A"] = "1" }, _store.At("web", first.Revision).ToDictionary(e => e.Key, e => e.Value.Value));
        Assert.Equal(new Dictionary<string, string> { ["A"] = "10", ["B"] = "2" }, _store.At("web", first.Revision + 2).ToDictionary(e => e.Key, e => e.Value.Value));
        Assert.Equal(new Dictionary<string, string> { ["A"] = "10" }, _store.At("web", _store.Revision).ToDictionary(e => e.Key, e => e.Value.Value));
    }

    [Fact]
    public async Task CommitsAreDurableWalWithSynchronousFull()
    {
        var (journal, synchronous) = await _store.DurabilityAsync();
        Assert.Equal("wal", journal);
        Assert.Equal(2, synchronous); // FULL: the WAL is synced at every commit.
    }

    [Fact]
    public async Task ConcurrentWritersShareCommits()
    {
        var before = _store.CommittedBatches;
        var writes = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            for (var n = 0; n < 20; n++)
            {
                await Put("web", $"client{i}:key{n}", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }));
        await Task.WhenAll(writes);
        Assert.Equal(64 * 20, _store.List("web").Count);
        var batches = _store.CommittedBatches - before;
        Assert.True(batches < 64 * 20, $"{batches} commits for {64 * 20} writes: they were not grouped");
    }

    [Fact]
    public async Task RetentionKeepsTheNewestVersionsAndRecentOnes()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await _store.DisposeAsync();
        _store = SqliteConfigStore.Open(StorePath, new RetentionPolicy(TimeSpan.FromDays(30), 5), clock);
        var first = 0L;
        for (var i = 0; i < 12; i++)
        {
            var result = await Put("web", "Old", $"v{i}");
            first = first == 0 ? result.Revision : first;
        }
        clock.Now += TimeSpan.FromDays(40);
        for (var i = 0; i < 3; i++)
        {
            await Put("web", "Recent", $"r{i}");
        }

        Assert.Equal(7, await _store.ApplyRetentionAsync());
        Assert.Equal(["v11", "v10", "v9", "v8", "v7"], _store.History("web", "Old").Select(v => v.Value));
        Assert.Equal(3, _store.History("web", "Recent").Count);
        Assert.Throws<RevisionCompactedException>(() => _store.At("web", first + 2));
        Assert.Equal("v7", _store.At("web", first + 7)["Old"].Value);
    }

    [Fact]
    public async Task AStoreFromBeforeVersionsCarriedTheirAuthorIsUpgraded()
    {
        await _store.DisposeAsync();
        var path = Path.Combine(_folder.Directory, "old.db");
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE namespaces(name TEXT PRIMARY KEY, revision INTEGER NOT NULL, created_revision INTEGER NOT NULL);
                CREATE TABLE revisions(revision INTEGER PRIMARY KEY, time INTEGER NOT NULL, author TEXT NOT NULL);
                CREATE TABLE versions(ns TEXT NOT NULL, key TEXT NOT NULL, revision INTEGER NOT NULL, value TEXT, content_type TEXT NOT NULL,
                    create_revision INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY(ns, key, revision)) WITHOUT ROWID;
                INSERT INTO namespaces VALUES ('web', 1, 1);
                INSERT INTO revisions VALUES (1, 1700000000000, 'autonomy'), (2, 1700000001000, 'admin'), (3, 1700000002000, 'web/web-1');
                INSERT INTO versions VALUES ('web', 'A', 2, 'one', 'text/plain', 2, 1), ('web', 'A', 3, 'two', 'text/plain', 2, 2);
                """;
            create.ExecuteNonQuery();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        _store = SqliteConfigStore.Open(path);
        Assert.Equal(3, _store.Revision);
        Assert.Equal(["web/web-1", "admin"], _store.History("web", "A").Select(v => v.Author));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000001000), _store.History("web", "A")[1].Time);
        Assert.Equal(4, (await Put("web", "A", "three")).Revision);
        Assert.Equal("admin", _store.History("web", "A")[0].Author);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
