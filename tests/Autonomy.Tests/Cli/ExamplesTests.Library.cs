using System.Net;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Autonomy.Tests.Cli;

/// <summary>The library example: two services with a database each, on SQLite as it comes and on PostgreSQL after its one-line switch.</summary>
public sealed partial class ExamplesTests
{
    /// <summary>Adds a book and two reviews through the services, and checks what each answers; a failure shows the services' logs.</summary>
    private static async Task UseTheLibraryAsync(string folder, int port, IDictionary<string, string?> env, string database)
    {
        try
        {
            await UseTheLibraryOnceAsync(folder, port, env, database);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            // The server writes log files every few hundred milliseconds: the lines of the failure are there after a pause.
            await Task.Delay(1000);
            var logs = await Repository.RunAutonomyAsync(folder, ["logs"], env);
            var server = File.ReadAllText(Path.Combine(folder, ".autonomy", "library", "server.log"));
            throw new InvalidOperationException($"using the library on {database} failed: {e}\n{logs.StandardOutput}\n--- server.log\n{server}", e);
        }
    }

    private static async Task UseTheLibraryOnceAsync(string folder, int port, IDictionary<string, string?> env, string database)
    {
        using var http = new HttpClient();
        var (books, _) = await ServiceAsync(folder, "books", env);
        Assert.Contains($"\"database\": \"{database}\"", await http.GetStringAsync($"http://127.0.0.1:{books}/health"));
        using (var added = await http.PostAsync($"http://127.0.0.1:{books}/books", Json(new { isbn = "978-0441013593", title = "Dune", author = "Frank Herbert" })))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }
        foreach (var (stars, comment) in new[] { (5, "the spice must flow"), (4, "long, and worth it") })
        {
            using var reviewed = await http.PostAsync($"http://127.0.0.1:{port}/reviews/978-0441013593", Json(new { stars, comment }));
            Assert.Equal(HttpStatusCode.Created, reviewed.StatusCode);
        }
        // reviews asks books (at BOOKS_URL) whether a book exists.
        using (var unknown = await http.PostAsync($"http://127.0.0.1:{port}/reviews/978-0000000000", Json(new { stars = 1, comment = "?" })))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        var page = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/reviews/978-0441013593")).RootElement;
        Assert.Equal("Dune", page.GetProperty("book").GetProperty("title").GetString());
        Assert.Equal(4.5, page.GetProperty("average").GetDouble());
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> DatabasesAsync(string folder, IDictionary<string, string?> env)
    {
        var ls = await Repository.RunAutonomyAsync(folder, ["db", "ls", "--format", "json"], env);
        Assert.True(ls.ExitCode == 0, ls.ToString());
        return JsonDocument.Parse(ls.StandardOutput).RootElement;
    }

    [Fact]
    public async Task TheLibraryKeepsEachServicesDataOnSqliteAndAfterOneLineOnPostgres()
    {
        var folder = CopyExample("library");
        var port = FreePort();
        // Debian's psycopg2 (scripts/test installs it) for the PostgreSQL run: the system's python3 first on PATH.
        var env = new Dictionary<string, string?> { ["LIBRARY_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["PATH"] = "/usr/bin:/bin" };
        try
        {
            var up = await Repository.RunAutonomyAsync(folder, ["up", "-d"], env);
            Assert.True(up.ExitCode == 0, up.ToString());
            await UseTheLibraryAsync(folder, port, env, "sqlite");
            var databases = await DatabasesAsync(folder, env);
            Assert.All(databases.EnumerateArray(), d => Assert.Equal("sqlite", d.GetProperty("provider").GetString()));
            // Each service's file holds its own table and not the other's.
            var location = databases.EnumerateArray().ToDictionary(d => d.GetProperty("service").GetString()!, d => d.GetProperty("location").GetString()!);
            Assert.Equal(["books", "reviews"], location.Keys.Order());
            Assert.Equal("books,", await TablesAsync(location["books"]));
            Assert.Equal("reviews,", await TablesAsync(location["reviews"]));
            var down = await Repository.RunAutonomyAsync(folder, ["down"], env);
            Assert.True(down.ExitCode == 0, down.ToString());

            // The switch the README shows: one line of the compose file.
            var compose = Path.Combine(folder, "compose.yaml");
            var before = File.ReadAllLines(compose);
            File.WriteAllText(compose, File.ReadAllText(compose).Replace("\n  database: sqlite\n", "\n  database: postgres\n", StringComparison.Ordinal));
            Assert.Single(before.Zip(File.ReadAllLines(compose)), pair => pair.First != pair.Second);

            up = await Repository.RunAutonomyAsync(folder, ["up", "-d"], env);
            Assert.True(up.ExitCode == 0, up.ToString());
            await UseTheLibraryAsync(folder, port, env, "postgresql");
            databases = await DatabasesAsync(folder, env);
            Assert.All(databases.EnumerateArray(), d => Assert.Equal("postgres", d.GetProperty("provider").GetString()));
            // Each service's credentials open its own database, and the server refuses them the other's.
            var url = await Repository.RunAutonomyAsync(folder, ["db", "url", "reviews", "--format", "ado"], env);
            Assert.True(url.ExitCode == 0, url.ToString());
            var reviews = url.StandardOutput.Trim();
            Assert.Equal(2L, await ScalarAsync<long>(reviews, "SELECT count(*) FROM reviews"));
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<long>(new NpgsqlConnectionStringBuilder(reviews) { Database = "books" }.ConnectionString, "SELECT 1"));
            Assert.Equal("42501", refused.SqlState);
        }
        finally
        {
            await Repository.RunAutonomyAsync(folder, ["down"], env);
        }
    }

    private static async Task<string> TablesAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT group_concat(name, ',') || ',' FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'autonomy_%'", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
