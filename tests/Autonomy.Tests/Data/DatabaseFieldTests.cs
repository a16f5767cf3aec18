using Autonomy.Server.Data;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Data;

/// <summary>x-autonomy.database is checked where it is written: file, line, column, what is wrong and how to write it.</summary>
public sealed class DatabaseFieldTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private Autonomy.Server.Compose.Diagnostics.ComposeDiagnostic Single(string yaml)
    {
        _project.Write("compose.yaml", yaml);
        var errors = _project.Errors();
        Assert.True(errors.Count == 1, string.Join("\n", errors.Select(e => e.Format())));
        Assert.Equal(_project.PathOf("compose.yaml"), errors[0].File);
        return errors[0];
    }

    [Fact]
    public void UnknownProviderAtTheTopLevel()
    {
        var error = Single("""
            x-autonomy:
              database: mysql
            services:
              web:
                command: sleep 1
            """);
        Assert.Equal((2, 13), (error.Line, error.Column));
        Assert.Equal("x-autonomy.database", error.Path);
        Assert.Contains("'mysql' is not a database provider", error.Message);
        Assert.Contains("sqlite, postgres", error.Hint);
    }

    [Fact]
    public void AdminPasswordInTheUrlIsRefused()
    {
        var error = Single("""
            services:
              web:
                command: sleep 1
                x-autonomy:
                  database: {provider: "postgres://admin:hunter2@db.internal:5432"}
            """);
        Assert.Equal(5, error.Line);
        Assert.Equal("services.web.x-autonomy.database.provider", error.Path);
        Assert.Contains("password", error.Message);
        Assert.DoesNotContain("hunter2", error.Format());
        Assert.Contains("PGPASSWORD", error.Hint);
    }

    [Fact]
    public void BadPortMissingAdminAndDatabasePath()
    {
        Assert.Contains("is not HOST or HOST:PORT", Single("services:\n  web:\n    command: sleep 1\n    x-autonomy: {database: \"postgres://admin@h1:5432,h2:99999\"}\n").Message);
        Assert.Contains("does not name the admin role", Single("services:\n  web:\n    command: sleep 1\n    x-autonomy: {database: \"postgres://h1:5432\"}\n").Message);
        Assert.Contains("names a database", Single("services:\n  web:\n    command: sleep 1\n    x-autonomy: {database: \"postgres://a@h1/app\"}\n").Message);
    }

    [Fact]
    public void SettingsAreCheckedOneByOne()
    {
        _project.Write("compose.yaml", """
            services:
              web:
                command: sleep 1
                x-autonomy:
                  database:
                    provider: sqlite
                    int: ./sql
                    init: ./missing
                    name: Web-DB
            """);
        var errors = _project.Errors().OrderBy(e => e.Line).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Equal((7, 9), (errors[0].Line, errors[0].Column));
        Assert.Equal("did you mean 'init'?", errors[0].Hint);
        Assert.Equal(8, errors[1].Line);
        Assert.Contains("the init folder './missing' does not exist", errors[1].Message);
        Assert.Equal(9, errors[2].Line);
        Assert.Contains("'Web-DB' is not a plain SQL identifier", errors[2].Message);
    }

    [Fact]
    public void ValidFormsLoad()
    {
        _project.Write("sql/001.sql", "select 1;");
        _project.Write("compose.yaml", """
            x-autonomy:
              database: postgres://admin@10.0.0.5:5433,[::1]
            services:
              a: {command: sleep 1, x-autonomy: {database: false}}
              b: {command: sleep 1, x-autonomy: {database: sqlite}}
              c: {command: sleep 1, x-autonomy: {database: postgres}}
              d: {command: sleep 1, x-autonomy: {database: {provider: postgres, init: ./sql, name: orders_db}}}
            """);
        var project = _project.Load();
        Assert.Equal(4, project.Services.Count);
    }

    [Theory]
    [InlineData("orders", "orders", null)]
    [InlineData("web-api", "web_api", "'-' cannot be in an SQL identifier")]
    [InlineData("Billing", "billing", "folds unquoted names to lowercase")]
    [InlineData("2fa", "s_2fa", "cannot start with a digit")]
    public void ServiceNamesAreMappedToIdentifiers(string service, string identifier, string? why)
    {
        Assert.Equal(identifier, DatabaseNames.For(service, out var note, out var error));
        Assert.Null(error);
        if (why is null)
        {
            Assert.Null(note);
        }
        else
        {
            Assert.Contains(why, note);
            Assert.Contains($"'{identifier}'", note);
        }
    }

    [Theory]
    [InlineData("postgres", "a name PostgreSQL itself uses")]
    [InlineData("pg_monitor", "starts with 'pg_'")]
    [InlineData("a-very-long-service-name-that-goes-on-and-on-well-past-what-postgres-keeps", "longer than PostgreSQL's 63 bytes")]
    public void SomeNamesCannotBeIdentifiers(string service, string why)
    {
        Assert.Null(DatabaseNames.For(service, out _, out var error));
        Assert.Contains(why, error);
    }
}
