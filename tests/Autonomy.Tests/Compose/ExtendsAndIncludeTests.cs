using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Compose;

/// <summary><c>extends</c> and <c>include</c>: relative paths, variables, merge and cycles.</summary>
public sealed class ExtendsAndIncludeTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void ExtendsInTheSameFileMergesOverTheBase()
    {
        _project.Write("compose.yaml", """
            services:
              base:
                command: run
                environment: {LEVEL: info, REGION: eu}
                ports: ["8080:80"]
              web:
                extends: base
                environment: {LEVEL: debug}
            """);
        var web = _project.Load().FindService("web")!;
        Assert.Equal(["run"], web.Command);
        Assert.Equal(new Dictionary<string, string?> { ["LEVEL"] = "debug", ["REGION"] = "eu" }, web.Environment);
        Assert.Single(web.Ports);
        Assert.False(web.Attributes.ContainsKey("extends"));
    }

    [Fact]
    public void ExtendsFromAnotherFileResolvesItsPathsFromThatFile()
    {
        _project.Write("common/services.yaml", """
            services:
              app:
                build: ./src
                env_file: [app.env]
                volumes: [./data:/data]
            """);
        _project.Write("common/app.env", "FROM_COMMON=yes\n");
        _project.Write("compose.yaml", """
            services:
              web:
                extends:
                  file: common/services.yaml
                  service: app
            """);
        var web = _project.Load().FindService("web")!;
        Assert.Equal(_project.PathOf("common/src"), web.Build!.Context);
        Assert.Equal(_project.PathOf("common/data"), web.Volumes[0].Source);
        Assert.Equal("yes", web.Environment["FROM_COMMON"]);
    }

    [Fact]
    public void ExtendsCycleNamesTheChain()
    {
        _project.Write("compose.yaml", """
            services:
              a:
                extends: b
              b:
                extends: a
            """);
        Assert.Contains(_project.Errors(), e => e.Message.StartsWith("extends cycle: a -> b -> a", StringComparison.Ordinal));
    }

    [Fact]
    public void ExtendsOfAnUnknownServiceSuggestsOne()
    {
        _project.Write("compose.yaml", "services:\n  base:\n    command: run\n  web:\n    extends: bsae\n");
        var error = Assert.Single(_project.Errors());
        Assert.Equal((5, 14), (error.Line, error.Column));
        Assert.Equal("did you mean 'base'?", error.Hint);
    }

    [Fact]
    public void IncludedProjectKeepsItsOwnDirectoryAndVariables()
    {
        _project.Write("billing/compose.yaml", """
            services:
              billing:
                build: .
                image: billing:${BILLING_TAG}
            """);
        _project.Write("billing/.env", "BILLING_TAG=7\n");
        _project.Write("compose.yaml", """
            include:
              - billing/compose.yaml
            services:
              web:
                command: run
                depends_on: [billing]
            """);
        var project = _project.Load();
        var billing = project.FindService("billing")!;
        Assert.Equal(_project.PathOf("billing"), billing.Build!.Context);
        Assert.Equal("billing:7", billing.Image);
        Assert.Equal(["billing", "web"], project.Services.Select(s => s.Name));
    }

    [Fact]
    public void IncludeCycleIsReported()
    {
        _project.Write("a.yaml", "include: [b.yaml]\nservices:\n  a:\n    command: run\n");
        _project.Write("b.yaml", "include: [a.yaml]\nservices:\n  b:\n    command: run\n");
        var error = Assert.Single(_project.Errors(["a.yaml"]));
        Assert.Equal("include cycle: a.yaml -> b.yaml -> a.yaml", error.Message);
        Assert.Equal((_project.PathOf("b.yaml"), 1), (error.File, error.Line));
    }

    [Fact]
    public void TwoIncludesDefiningOneServiceDifferentlyIsAnError()
    {
        _project.Write("one.yaml", "services:\n  shared:\n    command: one\n");
        _project.Write("two.yaml", "services:\n  shared:\n    command: two\n");
        _project.Write("compose.yaml", "include: [one.yaml, two.yaml]\nservices:\n  web:\n    command: run\n");
        var error = Assert.Single(_project.Errors());
        Assert.Contains("services.shared is defined differently by two included files", error.Message);
    }
}
