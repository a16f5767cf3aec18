using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Compose;

/// <summary>Every kind of mistake is reported at its file, line and column, says what is wrong, and how to fix it.</summary>
public sealed class ComposeErrorTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private ComposeDiagnostic Single(string yaml, Dictionary<string, string>? env = null)
    {
        _project.Write("compose.yaml", yaml);
        var errors = _project.Errors(env: env);
        Assert.Single(errors);
        Assert.Equal(_project.PathOf("compose.yaml"), errors[0].File);
        return errors[0];
    }

    [Fact]
    public void ArticleFileFailsFirstAtBuildWithoutSpace()
    {
        // The compose file of the article, as printed there.
        var error = Single("""
            version: '3'

            services:
               web:
                  build:.
                  ports:
                      - "${PORT}:${PORT}"
            """);
        Assert.Equal((5, 7), (error.Line, error.Column));
        Assert.Contains("'build:.'", error.Message);
        Assert.Contains("needs a space after the colon", error.Message);
        Assert.Equal("write 'build: .'", error.Hint);
    }

    [Fact]
    public void MisalignedKeyNamesTheSiblingItShouldAlignWith()
    {
        var error = Single("""
            services:
              web:
                command: run
                depends_on:
                  db:
                    condition: service_healthy
                   queue:
                     condition: service_healthy
            """);
        Assert.Equal((7, 8), (error.Line, error.Column));
        Assert.Contains("'queue' starts in column 8, but 'db' on line 5", error.Message);
    }

    [Fact]
    public void TabIndentationIsNamed()
    {
        var error = Single("services:\n\tweb:\n\t\tcommand: run\n");
        Assert.Equal(2, error.Line);
        Assert.Contains("tab", error.Message);
    }

    [Fact]
    public void ReplicasThatAreNotANumber()
    {
        var error = Single("""
            services:
              web:
                command: run
                deploy:
                  replicas: three
            """);
        Assert.Equal((5, 17), (error.Line, error.Column));
        Assert.Equal("services.web.deploy.replicas must be a whole number, not 'three'", error.Message);
        Assert.Equal("services.web.deploy.replicas", error.Path);
        Assert.NotNull(error.Hint);
    }

    [Fact]
    public void TopLevelHealthcheckBelongsUnderAService()
    {
        var error = Single("""
            services:
              web:
                command: run
            healthcheck:
              test: ["CMD", "true"]
            """);
        Assert.Equal((4, 1), (error.Line, error.Column));
        Assert.Equal("'healthcheck' is a service attribute, not a top-level section", error.Message);
        Assert.Contains("move it under the service", error.Hint);
    }

    [Fact]
    public void UnknownTopLevelKeySuggestsTheSection()
    {
        var error = Single("""
            servics:
              web:
                command: run
            """);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("unknown top-level section 'servics'", error.Message);
        Assert.Contains("did you mean 'services'?", error.Hint);
    }

    [Fact]
    public void UnknownServiceAttributeSuggestsTheClosest()
    {
        var error = Single("""
            services:
              web:
                comand: run
            """);
        Assert.Equal((3, 5), (error.Line, error.Column));
        Assert.Equal("the service 'web' has an unknown attribute 'comand'", error.Message);
        Assert.StartsWith("did you mean 'command'?", error.Hint);
    }

    [Fact]
    public void DependsOnUnknownServiceSuggestsTheClosestName()
    {
        var error = Single("""
            services:
              web:
                command: run
                depends_on:
                  - datbase
              database:
                command: run
            """);
        Assert.Equal((5, 9), (error.Line, error.Column));
        Assert.Equal("the service 'web' refers to 'datbase' in depends_on, but no service 'datbase' is defined", error.Message);
        Assert.Equal("did you mean 'database'?", error.Hint);
    }

    [Fact]
    public void DependencyCycleNamesEveryServiceOnIt()
    {
        var error = Single("""
            services:
              a:
                command: run
                depends_on: [b]
              b:
                command: run
                depends_on: [c]
              c:
                command: run
                depends_on: [a]
            """);
        Assert.Equal("dependency cycle: a -> b -> c -> a", error.Message);
        Assert.Equal((10, 18), (error.Line, error.Column));
    }

    [Fact]
    public void DependencyOnItselfIsACycle()
    {
        var error = Single("""
            services:
              a:
                command: run
                depends_on: [a]
            """);
        Assert.Equal("dependency cycle: a -> a", error.Message);
    }

    [Fact]
    public void MissingRequiredVariableShowsTheFilesOwnMessage()
    {
        var error = Single("""
            services:
              web:
                command: run
                environment:
                  API_KEY: ${API_KEY:?set API_KEY to the key from the vendor's console}
            """);
        Assert.Equal((5, 16), (error.Line, error.Column));
        Assert.Contains("API_KEY", error.Message);
        Assert.Contains("set API_KEY to the key from the vendor's console", error.Message);
    }

    [Fact]
    public void MissingRequiredVariableInsideATextPointsAtTheExpression()
    {
        var error = Single("""
            services:
              web:
                command: run
                image: "registry/${IMAGE_TAG?tag required}"
            """);
        Assert.Equal((4, 22), (error.Line, error.Column));
        Assert.Contains("tag required", error.Message);
    }

    [Fact]
    public void DuplicateKeyNamesTheFirst()
    {
        var error = Single("""
            services:
              web:
                command: run
                command: other
            """);
        Assert.Equal((4, 5), (error.Line, error.Column));
        Assert.Contains("'command' is defined twice", error.Message);
        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void EveryErrorOfTheFileIsReportedInOnePass()
    {
        _project.Write("compose.yaml", """
            services:
              web:
                command: run
                deploy:
                  replicas: three
                depends_on: [dbb]
                restart: sometimes
                healthcheck:
                  interval: 10 seconds
              db:
                command: run
                ports: ["99999"]
            volumes:
              data: {drivr: local}
            """);
        var errors = _project.Errors();
        Assert.Equal(6, errors.Count);
        Assert.Equal([5, 6, 7, 9, 12, 14], errors.Select(e => e.Line).Order());
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var failure = Assert.Throws<ComposeException>(() => _project.Load(["nowhere.yaml"]));
        Assert.Contains("'nowhere.yaml' does not exist", failure.Errors.Single().Message);
    }

    [Fact]
    public void EmptyFileIsAnError()
    {
        Assert.Contains("empty", Single("").Message);
    }

    [Fact]
    public void ServiceWithOnlyACommandIsValid()
    {
        _project.Write("compose.yaml", "services:\n  tool:\n    command: [\"true\"]\n");
        var service = Assert.Single(_project.Load().Services);
        Assert.Null(service.Image);
        Assert.Null(service.Build);
        Assert.Equal(["true"], service.Command);
    }

    [Fact]
    public void UnknownNamedVolumeSecretAndConfigAreReported()
    {
        _project.Write("compose.yaml", """
            services:
              web:
                command: run
                volumes: ["data:/data"]
                secrets: [token]
                configs: [settings]
            """);
        var errors = _project.Errors();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Message.Contains("volume 'data'", StringComparison.Ordinal) && e.Line == 4);
        Assert.Contains(errors, e => e.Message.Contains("secret 'token'", StringComparison.Ordinal) && e.Line == 5);
        Assert.Contains(errors, e => e.Message.Contains("config 'settings'", StringComparison.Ordinal) && e.Line == 6);
    }

    [Fact]
    public void ErrorInAnEnvFileNamesThatFile()
    {
        _project.Write("app.env", "GOOD=1\nBAD VALUE\n");
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n    env_file: app.env\n");
        var error = Assert.Single(_project.Errors());
        Assert.Equal(_project.PathOf("app.env"), error.File);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void FormattedErrorIsOneLineWithItsHint()
    {
        var error = Single("services:\n  web:\n    command: run\n    deploy:\n      replicas: three\n");
        Assert.Equal("compose.yaml:5:17: error: services.web.deploy.replicas must be a whole number, not 'three'\n  hint: write it as digits, e.g. 'replicas: 1'",
            error.Format(_project.Directory));
    }
}
