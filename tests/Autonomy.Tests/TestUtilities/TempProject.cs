using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Compose.Model;

namespace Autonomy.Tests.TestUtilities;

/// <summary>A folder of files for one test, removed afterwards; loads them as a compose project with a controlled environment.</summary>
public sealed class TempProject : IDisposable
{
    public TempProject()
    {
        Directory = Path.Combine(Path.GetTempPath(), "autonomy-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string PathOf(string relativePath) => Path.GetFullPath(Path.Combine(Directory, relativePath));

    public ComposeProject Load(string[]? files = null, Dictionary<string, string>? env = null, string[]? profiles = null, string? projectName = null, string[]? envFiles = null) =>
        ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = files ?? ["compose.yaml"],
            WorkingDirectory = Directory,
            Environment = env ?? new Dictionary<string, string> { ["HOME"] = "/home/test" },
            Profiles = profiles ?? [],
            ProjectName = projectName,
            EnvFiles = envFiles ?? [],
        });

    /// <summary>Loads files expected to fail and returns their errors.</summary>
    public IReadOnlyList<ComposeDiagnostic> Errors(string[]? files = null, Dictionary<string, string>? env = null)
    {
        var failure = Assert.Throws<ComposeException>(() => Load(files, env));
        return [.. failure.Errors];
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
