using Autonomy.Server.Governance;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Store;
using Autonomy.Tests.TestUtilities;
using Microsoft.Data.Sqlite;

namespace Autonomy.Tests.Messaging.Access;

/// <summary>Broker users and their vhost permissions, against a real store file: what RabbitMQ's users and permissions mean.</summary>
public sealed class BrokerUsersTests : IAsyncLifetime
{
    private readonly TempProject _folder = new();
    private SqliteConfigStore _store = null!;

    private string StorePath => _folder.PathOf("config.db");

    public Task InitializeAsync()
    {
        _store = SqliteConfigStore.Open(StorePath);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    private BrokerUsers Open()
    {
        var users = new BrokerUsers();
        users.Open(_store);
        return users;
    }

    [Fact]
    public void AServiceUserHasItsOwnPasswordAndEverythingOnItsOwnVhostOnly()
    {
        var users = Open();
        var password = users.AddService("orders", []);
        Assert.Equal(32, password.Length);
        Assert.NotNull(users.Authenticate("orders", password));
        Assert.Null(users.Authenticate("orders", password + "x"));
        Assert.Null(users.Authenticate("billing", password));

        Assert.True(users.Permissions.Check("orders", "orders", Operation.Configure, "anything"));
        Assert.True(users.Permissions.Check("orders", "orders", Operation.Write, "amq.default"));
        Assert.True(users.Permissions.Check("orders", "orders", Operation.Read, "jobs"));
        Assert.False(users.Permissions.Check("orders", "billing", Operation.Read, "jobs"));

        // Each start makes a new password: the old one no longer opens anything.
        var again = users.AddService("orders", []);
        Assert.NotEqual(password, again);
        Assert.Null(users.Authenticate("orders", password));
        Assert.NotNull(users.Authenticate("orders", again));
    }

    [Fact]
    public void GrantsGiveAServiceUserTheGrantedOperationOnAnotherVhostAndNoMore()
    {
        var users = Open();
        users.AddService("worker", [Permission.Parse("messaging:consume:orders")]);
        Assert.True(users.Permissions.Check("worker", "orders", Operation.Read, "confirmations"));
        Assert.False(users.Permissions.Check("worker", "orders", Operation.Write, "amq.default"));
        Assert.False(users.Permissions.Check("worker", "orders", Operation.Configure, "confirmations"));

        var caller = users.CallerFor(users.Find("worker")!);
        Assert.True(caller.Permissions.Allows("messaging:consume", "orders"));
        Assert.True(caller.Permissions.Allows("messaging:read", "orders"));
        Assert.False(caller.Permissions.Allows("messaging:write", "orders"));
        Assert.True(caller.Permissions.Allows("messaging:configure", "worker"));
        Assert.False(caller.Permissions.Allows("config:read", "worker"));
        Assert.False(caller.Permissions.Allows("services:read", "worker"));
    }

    [Fact]
    public async Task AStoredUserIsKeptHashedAndAuthenticatesAfterAReopen()
    {
        var users = Open();
        Assert.True(await users.PutAsync("reporter", "correct horse battery", ["monitoring"], null, default));
        Assert.NotNull(users.Authenticate("reporter", "correct horse battery"));
        // Twice: the second check takes the remembered match, and must still refuse a wrong password.
        Assert.NotNull(users.Authenticate("reporter", "correct horse battery"));
        Assert.Null(users.Authenticate("reporter", "correct horse batterY"));

        await using (var connection = new SqliteConnection($"Data Source={StorePath}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT password_hash, tags FROM mq_users WHERE name = 'reporter'";
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.StartsWith($"pbkdf2-sha256${PasswordHash.Iterations}$", reader.GetString(0), StringComparison.Ordinal);
            Assert.DoesNotContain("horse", reader.GetString(0), StringComparison.Ordinal);
            Assert.Equal("monitoring", reader.GetString(1));
        }

        var reopened = Open();
        Assert.Equal(["monitoring"], reopened.Find("reporter")!.Tags);
        Assert.NotNull(reopened.Authenticate("reporter", "correct horse battery"));

        // A new password replaces the old one at once, even where the old one was remembered.
        Assert.False(await users.PutAsync("reporter", "another password", [], null, default));
        Assert.Null(users.Authenticate("reporter", "correct horse battery"));
        Assert.NotNull(users.Authenticate("reporter", "another password"));
    }

    [Fact]
    public async Task PatternsMatchAsRabbitMqsDoAndAnEmptyOneDeniesEverything()
    {
        var users = Open();
        await users.PutAsync("app", "long enough", [], null, default);
        await users.Permissions.SetAsync(new VhostPermission("app", "shop", PermissionPattern.Parse("^app-"), PermissionPattern.Parse("events"),
            PermissionPattern.None), null, default);

        Assert.True(users.Permissions.Check("app", "shop", Operation.Configure, "app-jobs"));
        Assert.False(users.Permissions.Check("app", "shop", Operation.Configure, "jobs-app-"));
        // Unanchored, as RabbitMQ's: 'events' allows any name that contains it.
        Assert.True(users.Permissions.Check("app", "shop", Operation.Write, "shop.events.orders"));
        Assert.False(users.Permissions.Check("app", "shop", Operation.Write, "amq.default"));
        Assert.False(users.Permissions.Check("app", "shop", Operation.Read, "app-jobs"));
        Assert.False(users.Permissions.Check("app", "other", Operation.Configure, "app-jobs"));

        var caller = users.CallerFor(users.Find("app")!);
        Assert.True(caller.Permissions.Allows("messaging:configure", "shop"));
        Assert.False(caller.Permissions.Allows("messaging:consume", "shop"));

        var reopened = Open();
        Assert.Equal("^app-", reopened.Permissions.Of("app", "shop")!.Configure.Text);
        Assert.Equal("", reopened.Permissions.Of("app", "shop")!.Read.Text);

        Assert.True(await users.DeleteAsync("app", null, default));
        Assert.Null(users.Authenticate("app", "long enough"));
        Assert.Null(users.Permissions.Of("app", "shop"));
        Assert.Null(Open().Permissions.Of("app", "shop"));
    }

    [Fact]
    public void ABadPatternIsNamedAndAPathologicalOneCannotHoldACheck()
    {
        Assert.False(PermissionPattern.TryParse("orders-(", out _, out var problem));
        Assert.Contains("'orders-(' is not a regular expression", problem, StringComparison.Ordinal);
        // Without the match timeout this backtracks 2^40 times.
        Assert.False(PermissionPattern.Parse("^(a+)+$").Allows(new string('a', 40) + "b"));
    }
}
