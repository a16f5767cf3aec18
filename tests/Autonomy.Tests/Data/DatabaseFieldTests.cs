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

    [Fact]
    public void ClustersAreCheckedWhereTheyAreNamed()
    {
        _project.Write("compose.yaml", """
            x-autonomy:
              databases:
                main: postgres://admin@db1:5432,db2:5432
                Archive: postgres://admin@db3:5432
                hash: postgres://admin@db4:5432
                spare: postgres://admin:secret@db5:5432
                cold: [db6]
            services:
              web:
                command: sleep 1
            """);
        var errors = _project.Errors().OrderBy(e => e.Line).ToList();
        Assert.Equal(4, errors.Count);
        Assert.Equal((4, 5, "x-autonomy.databases.Archive"), (errors[0].Line, errors[0].Column, errors[0].Path));
        Assert.Contains("'Archive' is not a cluster name", errors[0].Message);
        Assert.Contains("'hash' cannot name a cluster", errors[1].Message);
        Assert.Equal((6, 12), (errors[2].Line, errors[2].Column));
        Assert.Contains("password", errors[2].Message);
        Assert.DoesNotContain("secret", errors[2].Format());
        Assert.Contains("PGPASSWORD_SPARE", errors[2].Hint);
        Assert.Equal(7, errors[3].Line);
        Assert.Contains("the cluster 'cold' must be a postgres:// URL", errors[3].Message);
    }

    [Fact]
    public void PlacementRulesNameClustersThatExist()
    {
        _project.Write("compose.yaml", """
            x-autonomy:
              databases:
                main: postgres://admin@db1:5432
                archive: postgres://admin@db2:5432
              database: mian
            services:
              a: {command: sleep 1, x-autonomy: {database: {pin: archve}}}
              b: {command: sleep 1, x-autonomy: {database: {pin: main, provider: sqlite}}}
              c: {command: sleep 1, x-autonomy: {database: hash}}
              d: {command: sleep 1, x-autonomy: {database: {pin: archive, init: ./missing}}}
            """);
        var errors = _project.Errors().OrderBy(e => e.Line).ToList();
        Assert.Equal(4, errors.Count);
        Assert.Equal((5, 13, "x-autonomy.database"), (errors[0].Line, errors[0].Column, errors[0].Path));
        Assert.Contains("'mian' is neither a database provider nor a cluster of x-autonomy.databases", errors[0].Message);
        Assert.Equal("did you mean 'main'?", errors[0].Hint);
        Assert.Equal("services.a.x-autonomy.database.pin", errors[1].Path);
        Assert.Contains("'archve' is not a cluster of x-autonomy.databases (main, archive)", errors[1].Message);
        Assert.Equal("did you mean 'archive'?", errors[1].Hint);
        Assert.Contains("either a provider or a pin, not both", errors[2].Message);
        Assert.Contains("the init folder './missing' does not exist", errors[3].Message);
    }

    [Fact]
    public void HashAndPinNeedNamedClusters()
    {
        var hash = Single("x-autonomy:\n  database: hash\nservices:\n  web:\n    command: sleep 1\n");
        Assert.Equal((2, 13), (hash.Line, hash.Column));
        Assert.Contains("none is named", hash.Message);
        Assert.Contains("databases:", hash.Hint);
        var pin = Single("services:\n  web:\n    command: sleep 1\n    x-autonomy: {database: {pin: main}}\n");
        Assert.Equal("services.web.x-autonomy.database.pin", pin.Path);
        Assert.Contains("x-autonomy.databases names none", pin.Message);
    }

    [Fact]
    public void ClusterFormsLoad()
    {
        _project.Write("compose.yaml", """
            x-autonomy:
              databases: {main: "postgres://admin@db1:5432,db2:5433", archive: "postgres://admin@db3"}
              database: hash
            services:
              a: {command: sleep 1, x-autonomy: {database: archive}}
              b: {command: sleep 1, x-autonomy: {database: {pin: main, name: b_db}}}
              c: {command: sleep 1}
              d: {command: sleep 1, x-autonomy: {database: sqlite}}
            """);
        Assert.Equal(4, _project.Load().Services.Count);
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
