using Autonomy.Server.Governance;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Compose;

/// <summary><c>x-autonomy.grants</c>: a list of permissions a service's replicas get on top of their own, each checked where it is written.</summary>
public sealed class AutonomyGrantsTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void GrantsAddToAServicesOwnPermissions()
    {
        _project.Write("compose.yaml", """
            services:
              orders:
                command: sleep 1
                secrets: [db_password, api_key]
                x-autonomy:
                  grants:
                    - config:read:billing
                    - services:read
            secrets:
              db_password: {file: ./db.txt}
              api_key: {external: true, name: payments_api_key}
            """);
        var project = _project.Load();
        var permissions = ServicePermissions.For(project, project.Services.Single());
        // The stored secret by its name in the store; the file secret is delivered, not stored, so it grants no read.
        Assert.Equal("config:read:billing, config:read:orders, config:read:shared, config:write:orders, messaging:configure:orders, messaging:consume:orders, "
            + "messaging:read:orders, messaging:write:orders, registry:read, secrets:read:payments_api_key, services:read",
            permissions.ToString());
        Assert.True(permissions.Allows("services:read", "billing"));
        Assert.False(permissions.Allows("config:write", "billing"));
        Assert.False(permissions.Allows("secrets:read", "other"));
    }

    [Theory]
    [InlineData("grants: config:read:billing", 5, 15, "services.orders.x-autonomy.grants must be a list of permissions, not 'config:read:billing'")]
    [InlineData("grants: [config:read:billing, config:peek:billing]", 5, 37, "'config:peek:billing': 'config' has no action 'peek'; its actions are config:read, config:write")]
    [InlineData("grants: [queues:read]", 5, 16, "'queues:read': there is no resource 'queues'")]
    [InlineData("grants: [audit:read:everything]", 5, 16, "'audit:read:everything': audit:read takes no scope; write 'audit:read'")]
    [InlineData("grants: [config:read:bad/name]", 5, 16, "'config:read:bad/name': 'bad/name' is not a namespace name")]
    [InlineData("grants: [config]", 5, 16, "'config' is not a permission: write <resource>:<action>[:<scope>]")]
    [InlineData("grants: [{config: read}]", 5, 16, "services.orders.x-autonomy.grants[0] must be a permission's name, not a mapping")]
    public void ABadGrantIsReportedWhereItIsWritten(string grants, int line, int column, string message)
    {
        _project.Write("compose.yaml", $"""
            services:
              orders:
                command: sleep 1
                x-autonomy:
                  {grants}
            """);
        var error = Assert.Single(_project.Errors());
        Assert.Equal((_project.PathOf("compose.yaml"), line, column), (error.File, error.Line, error.Column));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Hint);
    }
}
