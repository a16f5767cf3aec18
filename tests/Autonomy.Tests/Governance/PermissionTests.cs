using Autonomy.Server.Governance;

namespace Autonomy.Tests.Governance;

/// <summary>Permission names, what a set of them allows, the roles, and token lifetimes.</summary>
public sealed class PermissionTests
{
    [Theory]
    [InlineData("config:read", "config:read", null)]
    [InlineData("config:write:orders", "config:write", "orders")]
    [InlineData("secrets:read:db_password", "secrets:read", "db_password")]
    [InlineData("audit:read", "audit:read", null)]
    public void NamesAreReadAsKindAndScope(string text, string kind, string? scope)
    {
        Assert.True(Permission.TryParse(text, out var permission, out var problem), problem);
        Assert.Equal(new Permission(kind, scope), permission);
        Assert.Equal(text, permission.ToString());
    }

    [Fact]
    public void AnUnscopedPermissionHoldsForEveryScopeAScopedOneForItsOwn()
    {
        var set = PermissionSet.Of([Permission.Parse("config:read"), Permission.Parse("config:write:orders")]);
        Assert.True(set.Allows("config:read", "anything"));
        Assert.True(set.Allows("config:read", null));
        Assert.True(set.Allows("config:write", "orders"));
        Assert.False(set.Allows("config:write", "billing"));
        // A call that needs the permission for every scope is not covered by a scoped grant.
        Assert.False(set.Allows("config:write", null));
        Assert.False(set.Allows("secrets:read", "orders"));
        Assert.True(PermissionSet.Everything.Allows("anything:at", "all"));
    }

    [Fact]
    public void ASetLacksWhatAnotherHasBeyondIt()
    {
        var orders = PermissionSet.Of([Permission.Parse("config:read:orders"), Permission.Parse("tokens:manage")]);
        Assert.Null(orders.FirstMissingOf(PermissionSet.Of([Permission.Parse("config:read:orders")])));
        Assert.Equal("config:read:billing", orders.FirstMissingOf(PermissionSet.Of([Permission.Parse("config:read:billing")])));
        Assert.Equal("config:read", orders.FirstMissingOf(PermissionSet.Of([Permission.Parse("config:read")])));
        Assert.Equal("every permission (the admin role)", orders.FirstMissingOf(PermissionSet.Everything));
        Assert.Null(PermissionSet.Everything.FirstMissingOf(orders));
    }

    [Fact]
    public void ReadOnlySeesEverythingButSecretValuesAndChangesNothing()
    {
        var project = new Tests.TestUtilities.TempProject();
        project.Write("compose.yaml", "services:\n  web:\n    command: sleep 1\n");
        var readOnly = Roles.Resolve(Roles.ReadOnly, project.Load(), out _)!;
        project.Dispose();
        foreach (var (kind, description) in Permission.Kinds)
        {
            var expected = kind.EndsWith(":read", StringComparison.Ordinal) && kind is not ("secrets:read" or "backup:read") || kind == "secrets:list";
            Assert.True(expected == readOnly.Allows(kind, "any"), $"read-only and {kind} ({description.Description})");
        }
    }

    [Theory]
    [InlineData("30m", 30 * 60)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("7d", 7 * 86400)]
    [InlineData("1h30m", 5400)]
    public void LifetimesAreDurations(string text, int seconds)
    {
        Assert.True(TokenLifetime.TryParse(text, out var lifetime, out var problem), problem);
        Assert.Equal(TimeSpan.FromSeconds(seconds), lifetime);
    }

    [Theory]
    [InlineData("never", true)]
    [InlineData("30s", false)]
    [InlineData("3651d", false)]
    [InlineData("a week", false)]
    [InlineData("-5m", false)]
    public void NeverIsNoExpiryAndTooShortOrLongIsRefused(string text, bool valid)
    {
        Assert.Equal(valid, TokenLifetime.TryParse(text, out var lifetime, out var problem));
        Assert.Null(lifetime);
        Assert.Equal(valid, problem is null);
    }

    [Fact]
    public void TokenHashesAreSha256AndRoundTripThroughHex()
    {
        var hash = TokenHash.Of("aut_example");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("aut_example"u8)), hash.ToHex());
        Assert.Equal(hash, TokenHash.FromHex(hash.ToHex()));
        Assert.False(TokenHash.TryCompute(new string('x', TokenHash.MaxTokenLength + 1), out _));
    }
}
