namespace Autonomy.Tests.TestUtilities;

/// <summary>The repository's examples, copied where a test may run them.</summary>
public static class ExampleFolder
{
    /// <summary>
    /// A copy of <c>examples/<paramref name="name"/></c> in <paramref name="folder"/>, so that its state never lands in
    /// the repository; build output and state are left behind.
    /// </summary>
    public static string Copy(string name, string folder)
    {
        var source = Path.Combine(Repository.Root, "examples", name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split('/').Any(part => part is "bin" or "obj" or ".autonomy"))
            {
                continue;
            }
            var target = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        // examples/Directory.Build.props stays behind; this one tells the copy where the client library is.
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <AutonomyClientProject>{Path.Combine(Repository.Root, "src", "Autonomy.Client", "Autonomy.Client.csproj")}</AutonomyClientProject>
              </PropertyGroup>
            </Project>
            """);
        return folder;
    }

    /// <summary>Sets the Flask example's two external secrets, which its <c>up</c> needs.</summary>
    public static async Task SetFlaskSecretsAsync(string folder, IDictionary<string, string?> env)
    {
        foreach (var name in new[] { "database_password", "rabbitmq_password" })
        {
            var set = await Repository.RunAutonomyAsync(folder, ["secrets", "set", name], env, stdin: System.Text.Encoding.UTF8.GetBytes($"{name} of the example\n"));
            Assert.True(set.ExitCode == 0, set.ToString());
        }
    }

    /// <summary>Fails, naming the packages, when Debian's python3-flask or python3-pika is missing.</summary>
    public static async Task RequireFlaskAndPikaAsync()
    {
        using var check = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", ["-c", "import flask, pika"]) { RedirectStandardError = true })!;
        await check.WaitForExitAsync();
        Assert.True(check.ExitCode == 0, "Flask or pika is missing: install Debian's python3-flask and python3-pika (scripts/test does)");
    }
}
