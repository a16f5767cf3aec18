namespace Autonomy.Tests.TestUtilities;

/// <summary>
/// A project of one idle service, brought up with the real CLI (<c>up -d</c>) before each test and
/// down after it: for tests that drive a running project the way a user does, verb by verb.
/// </summary>
public abstract class RunningCliProject(string name) : IAsyncLifetime
{
    protected TempProject Project { get; } = new();

    /// <summary>The project's state folder (.autonomy/NAME).</summary>
    protected string State => Path.Combine(Project.Directory, ".autonomy", name);

    /// <summary>The services of the compose file (one idle service, web, unless a test class needs others).</summary>
    protected virtual string Services => "  web:\n    command: sleep 300\n";

    public async Task InitializeAsync()
    {
        Project.Write("compose.yaml", $"name: {name}\nservices:\n{Services}");
        var up = await Run("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());
    }

    public async Task DisposeAsync()
    {
        await Run("down");
        Project.Dispose();
    }

    protected Task<CommandResult> Run(params string[] args) => Repository.RunAutonomyAsync(Project.Directory, args);

    /// <summary>Runs the CLI, asserts that it succeeded, and returns what it printed.</summary>
    protected async Task<string> Ok(params string[] args)
    {
        var result = await Run(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StandardOutput;
    }
}
