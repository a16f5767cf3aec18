using Autonomy.Server.Runtime.Planning;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Secrets;

/// <summary>Every secret a service cannot be given is named, with how to fix it, before anything starts.</summary>
public sealed class SecretPlanningTests
{
    [Fact]
    public async Task AMissingFileAnUnsetVariableAndAClashingFileNameAreErrorsBeforeAnythingStarts()
    {
        await using var p = new RunningProject("""
            name: planning
            services:
              app:
                command: sleep 300
                secrets:
                  - missing
                  - unset
                  - source: one
                    target: a/same
                  - source: two
                    target: b/same
            secrets:
              missing:
                file: ./nowhere.key
              unset:
                environment: NOT_SET_ANYWHERE
              one:
                file: ./compose.yaml
              two:
                file: ./compose.yaml
            """);
        var error = await Assert.ThrowsAsync<ServicePlanException>(() => p.UpAsync());
        Assert.Contains(error.Problems, m => m.Contains("secret 'missing' is the file", StringComparison.Ordinal) && m.Contains("nowhere.key, which does not exist", StringComparison.Ordinal));
        Assert.Contains(error.Problems, m => m.Contains("secret 'unset' takes its value from $NOT_SET_ANYWHERE, which is not set", StringComparison.Ordinal));
        Assert.Contains(error.Problems, m => m.Contains("two of its secrets end in the same file name 'same' (one, two)", StringComparison.Ordinal));
        Assert.Empty(p.Supervisor.Status());
    }

    [Fact]
    public async Task AnExternalSecretNeedsTheServersStore()
    {
        await using var p = new RunningProject("""
            name: planning
            services:
              app:
                command: sleep 300
                secrets: [token]
            secrets:
              token:
                external: true
            """);
        var error = await Assert.ThrowsAsync<ServicePlanException>(() => p.UpAsync());
        Assert.Contains(error.Problems, m => m.Contains("secret 'token' is external, and only the Autonomy server has a secret store", StringComparison.Ordinal));
    }
}
