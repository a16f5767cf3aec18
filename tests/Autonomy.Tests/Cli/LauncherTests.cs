using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary>The <c>./autonomy</c> launcher is safe to call many times at once.</summary>
public sealed class LauncherTests
{
    [Fact]
    public async Task ManyCallsInParallelAllSucceed()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Repository.RunAutonomyAsync(Repository.Root, ["--version"])));
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Single(runs.Select(r => r.StandardOutput).Distinct());
    }
}
