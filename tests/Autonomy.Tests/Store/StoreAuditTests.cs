using Autonomy.Server.Governance;
using Autonomy.Server.Store;
using Autonomy.Tests.TestUtilities;
using Microsoft.Data.Sqlite;

namespace Autonomy.Tests.Store;

/// <summary>The audit log as the store's writer keeps it: in the group commit, chained across reopening, found by time.</summary>
public sealed class StoreAuditTests : IAsyncLifetime
{
    private readonly TempProject _folder = new();
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private SqliteConfigStore _store = null!;

    private string StorePath => _folder.PathOf("config.db");

    public async Task InitializeAsync()
    {
        _store = SqliteConfigStore.Open(StorePath, time: _clock);
        await _store.CreateNamespaceAsync("web", "test");
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    private static AuditRecord Record(string action) => new("admin", action, "config:write:web", AuditRecord.Ok);

    [Fact]
    public async Task AWriteWhoseCompareFailsLeavesNoEntry()
    {
        var put = new StoreTransaction("web", [StoreOperation.Put("A", "1")], "admin") { Audit = Record("PUT A") };
        Assert.True((await _store.CommitAsync(put)).Succeeded);
        var stale = put with { Compares = [new StoreCompare("A", 99)], Audit = Record("PUT A again") };
        Assert.False((await _store.CommitAsync(stale)).Succeeded);
        Assert.Equal(["PUT A"], new AuditLog(_store).Read(null, 10).Select(e => e.Action));
    }

    [Fact]
    public async Task TheChainContinuesAfterTheStoreIsOpenedAgain()
    {
        await _store.AppendAuditAsync(Record("one"));
        await _store.AppendAuditAsync(Record("two"));
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _store = SqliteConfigStore.Open(StorePath, time: _clock);
        Assert.Equal(2, _store.AuditHead.Seq);
        var third = await _store.AppendAuditAsync(Record("three"));
        Assert.Equal(3, third);
        var verification = new AuditLog(_store).Verify();
        Assert.True(verification.Intact, verification.Detail);
        Assert.Equal(3, verification.Checked);
    }

    [Fact]
    public async Task AFailedStatementIsUndoneAloneAndLeavesNoEntry()
    {
        var bad = _store.WriteAsync(c => Execute(c, "INSERT INTO tokens(id, hash, role, created) VALUES ('x', 'h', 'admin', 1), ('x', 'h', 'admin', 1)"), Record("bad"));
        var good = _store.WriteAsync(c => Execute(c, "INSERT INTO tokens(id, hash, role, created) VALUES ('y', 'h2', 'admin', 1)"), Record("good"));
        await Assert.ThrowsAsync<SqliteException>(() => bad);
        Assert.Equal(1, await good);
        Assert.Equal(["good"], new AuditLog(_store).Read(null, 10).Select(e => e.Action));
    }

    [Fact]
    public async Task SinceFindsTheFirstEntryAtOrAfterATime()
    {
        for (var minute = 0; minute < 100; minute++)
        {
            _clock.Now = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).AddMinutes(minute);
            await _store.AppendAuditAsync(Record($"at {minute}"));
        }
        var log = new AuditLog(_store);
        var since = DateTimeOffset.Parse("2026-01-01T01:30:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(90, 10).Select(m => $"at {m}"), log.Read(since, 1000).Select(e => e.Action));
        Assert.Equal(["at 98", "at 99"], log.Read(since, 2).Select(e => e.Action));
        Assert.Equal(100, log.Read(since.AddYears(-1), 1000).Count);
        Assert.Empty(log.Read(since.AddYears(1), 1000));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
