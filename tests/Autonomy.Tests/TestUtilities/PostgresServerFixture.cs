using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Autonomy.Server.Data.Managed;
using Npgsql;

namespace Autonomy.Tests.TestUtilities;

/// <summary>
/// A real PostgreSQL server for the tests that need one, shared by them through an xunit collection:
/// its own data folder and a free loopback port, run as the postgres user (initdb and postgres refuse
/// root), with a superuser <see cref="Admin"/> whose password is required over TCP. Stopped (fast
/// shutdown) and removed afterwards. Missing server programs fail the tests that need them, never skip them.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string Admin = "admin";

    private Process? _server;
    private string? _folder;

    public string AdminPassword { get; } = "admin-" + Guid.NewGuid().ToString("N")[..12];

    public int Port { get; private set; }

    public PostgresBinaries Binaries { get; private set; } = null!;

    /// <summary>The x-autonomy.database value that names this server.</summary>
    public string Url => $"postgres://{Admin}@127.0.0.1:{Port}";

    public string AdminConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username={Admin};Password={AdminPassword};Database={database};Pooling=false";

    public async Task InitializeAsync()
    {
        Binaries = FindBinaries();
        _folder = Path.Combine(Path.GetTempPath(), "autonomy-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
        var passwordFile = Path.Combine(_folder, "password");
        await File.WriteAllTextAsync(passwordFile, AdminPassword);
        if (IsRoot)
        {
            Run("chown", "-R", "postgres:", _folder);
        }
        // No fsync: this server holds test data only, and initdb's syncs cost seconds.
        Run(AsServerUser(Binaries.Program("initdb")), [.. AsServerUserArguments(Binaries.Program("initdb")),
            "-D", Path.Combine(_folder, "data"), "-U", Admin, "--pwfile=" + passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-instructions", "--no-sync"]);
        Port = FreePort();
        await StartServerAsync();
    }

    /// <summary>Starts the server (again, after <see cref="StopServerAsync"/>) on its port, and returns once it takes connections.</summary>
    public async Task StartServerAsync()
    {
        var start = new ProcessStartInfo(AsServerUser(Binaries.Program("postgres"))) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var word in AsServerUserArguments(Binaries.Program("postgres")).Concat(["-D", Path.Combine(_folder!, "data"), "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "max_connections=200"]))
        {
            start.ArgumentList.Add(word);
        }
        _server = Process.Start(start)!;
        _server.ErrorDataReceived += (_, _) => { };
        _server.OutputDataReceived += (_, _) => { };
        _server.BeginErrorReadLine();
        _server.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString());
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Stops the server (fast shutdown), keeping its data folder for <see cref="StartServerAsync"/>.</summary>
    public async Task StopServerAsync()
    {
        if (_server is { HasExited: false })
        {
            // SIGINT: PostgreSQL's fast shutdown.
            Run("kill", "-INT", _server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _server.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
            }
        }
        _server?.Dispose();
        _server = null;
    }

    /// <summary>Runs <paramref name="sql"/> as the admin and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async Task DisposeAsync()
    {
        await StopServerAsync();
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>This machine's PostgreSQL server programs; their absence fails the test with how to install them.</summary>
    public static PostgresBinaries FindBinaries() =>
        PostgresBinaries.Find(null, Environment.GetEnvironmentVariable("PATH"))
        ?? throw new InvalidOperationException("PostgreSQL's server programs (initdb, postgres) are not installed, and these tests need a real server: "
            + "run scripts/test (it installs Debian's postgresql as root) or apt-get install postgresql");

    public static bool IsRoot => Environment.UserName == "root";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string AsServerUser(string program) => IsRoot ? "setpriv" : program;

    private static string[] AsServerUserArguments(string program) =>
        IsRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program] : [];

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {output.Result}{errors}");
        }
    }
}

/// <summary>The tests that share one PostgreSQL server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
