using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Compose;

/// <summary>Project-level resolution: name, variables and their precedence, profiles, COMPOSE_* variables.</summary>
public sealed class ComposeProjectTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void ShellEnvironmentWinsOverDotEnv()
    {
        _project.Write(".env", "TAG=from-dotenv\nOTHER=dotenv-only\n");
        _project.Write("compose.yaml", "services:\n  web:\n    image: app:${TAG}\n    command: run ${OTHER}\n");
        var web = _project.Load(env: new() { ["TAG"] = "from-shell" }).FindService("web")!;
        Assert.Equal("app:from-shell", web.Image);
        Assert.Equal(["run", "dotenv-only"], web.Command);
    }

    [Fact]
    public void EnvFileOptionReplacesDotEnv()
    {
        _project.Write(".env", "TAG=from-dotenv\n");
        _project.Write("staging.env", "TAG=staging\n");
        _project.Write("compose.yaml", "services:\n  web:\n    image: app:${TAG}\n");
        Assert.Equal("app:staging", _project.Load(envFiles: ["staging.env"]).FindService("web")!.Image);
    }

    [Fact]
    public void ServiceEnvironmentPrecedenceIsEnvFileThenEnvironment()
    {
        _project.Write("a.env", "A=from-a\nB=from-a\nC=from-a\n");
        _project.Write("b.env", "B=from-b\nC=from-b\n");
        _project.Write("compose.yaml", """
            services:
              web:
                command: run
                env_file: [a.env, b.env]
                environment:
                  C: from-environment
                  FROM_SHELL:
                  MISSING:
            """);
        var web = _project.Load(env: new() { ["FROM_SHELL"] = "shell" }).FindService("web")!;
        Assert.Equal("from-a", web.Environment["A"]);
        Assert.Equal("from-b", web.Environment["B"]);
        Assert.Equal("from-environment", web.Environment["C"]);
        Assert.Equal("shell", web.Environment["FROM_SHELL"]);
        Assert.Null(web.Environment["MISSING"]);
    }

    [Fact]
    public void OptionalEnvFileMayBeMissing()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n    env_file:\n      - path: local.env\n        required: false\n");
        Assert.Empty(_project.Load().FindService("web")!.Environment);
    }

    [Theory]
    [InlineData(null, null, "named-in-file")]
    [InlineData(null, "from-env", "from-env")]
    [InlineData("from-flag", "from-env", "from-flag")]
    public void ProjectNamePrecedence(string? flag, string? env, string expected)
    {
        _project.Write("compose.yaml", "name: named-in-file\nservices:\n  web:\n    command: run\n");
        var variables = new Dictionary<string, string>();
        if (env is not null)
        {
            variables["COMPOSE_PROJECT_NAME"] = env;
        }
        Assert.Equal(expected, _project.Load(env: variables, projectName: flag).Name);
    }

    [Fact]
    public void ProjectNameDefaultsToTheFolderMadeValid()
    {
        _project.Write("My App/compose.yaml", "services:\n  web:\n    command: run\n");
        Assert.Equal("myapp", _project.Load(["My App/compose.yaml"]).Name);
    }

    [Fact]
    public void InvalidProjectNameIsAnError()
    {
        _project.Write("compose.yaml", "name: My_App!\nservices:\n  web:\n    command: run\n");
        var error = Assert.Single(_project.Errors());
        Assert.Contains("'My_App!'", error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void ComposeFileVariableNamesTheFiles()
    {
        _project.Write("one.yaml", "services:\n  a:\n    command: run\n");
        _project.Write("two.yaml", "services:\n  b:\n    command: run\n");
        var project = Autonomy.Server.Compose.Loading.ComposeLoader.Load(new()
        {
            WorkingDirectory = _project.Directory,
            Environment = new Dictionary<string, string> { ["COMPOSE_FILE"] = "one.yaml:two.yaml" },
        });
        Assert.Equal(["a", "b"], project.Services.Select(s => s.Name));
    }

    private const string ProfilesFile = """
        services:
          web:
            command: run
          debugger:
            command: debug
            profiles: [debug]
          seeder:
            command: seed
            profiles: [dev, test]
        """;

    [Fact]
    public void ServicesWithProfilesAreOffByDefault()
    {
        _project.Write("compose.yaml", ProfilesFile);
        Assert.Equal(["web"], _project.Load().Services.Select(s => s.Name));
    }

    [Fact]
    public void ProfilesFromFlagAndVariableAddUp()
    {
        _project.Write("compose.yaml", ProfilesFile);
        var project = _project.Load(env: new() { ["COMPOSE_PROFILES"] = "debug" }, profiles: ["test"]);
        Assert.Equal(["web", "debugger", "seeder"], project.Services.Select(s => s.Name));
        Assert.Equal(["debug", "test"], project.ActiveProfiles);
    }

    [Fact]
    public void StarEnablesEveryProfile()
    {
        _project.Write("compose.yaml", ProfilesFile);
        Assert.Equal(3, _project.Load(profiles: ["*"]).Services.Count);
    }

    [Fact]
    public void RequiredDependencyOnAServiceLeftOutByItsProfileNamesTheProfile()
    {
        _project.Write("compose.yaml", ProfilesFile + "\n" + """
              web2:
                command: run
                depends_on: [debugger]

            """);
        var error = Assert.Single(_project.Errors());
        Assert.Contains("runs only with the profile 'debug'", error.Message);
        Assert.Contains("--profile debug", error.Hint);
    }

    [Fact]
    public void OptionalDependencyOnADisabledServiceIsDropped()
    {
        _project.Write("compose.yaml", """
            services:
              web:
                command: run
                depends_on:
                  debugger: {required: false}
              debugger:
                command: debug
                profiles: [debug]
            """);
        Assert.Empty(_project.Load().FindService("web")!.DependsOn);
    }

    [Fact]
    public void AnchorsAliasesAndMergeKeysAreExpanded()
    {
        _project.Write("compose.yaml", """
            x-common: &common
              restart: always
              environment: {LEVEL: info}
            services:
              a:
                <<: *common
                command: run
              b:
                <<: *common
                command: run
                restart: "no"
            """);
        var project = _project.Load();
        Assert.Equal(Autonomy.Server.Compose.Model.RestartKind.Always, project.FindService("a")!.Restart.Kind);
        Assert.Equal(Autonomy.Server.Compose.Model.RestartKind.No, project.FindService("b")!.Restart.Kind);
        Assert.Equal("info", project.FindService("b")!.Environment["LEVEL"]);
        Assert.True(project.Extensions.ContainsKey("x-common"));
    }
}
