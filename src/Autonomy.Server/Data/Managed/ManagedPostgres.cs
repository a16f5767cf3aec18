using System.Text;

namespace Autonomy.Server.Data.Managed;

/// <summary>
/// Makes a managed server's cluster once: initdb into a folder of its own, the image's database,
/// and PUBLIC's CONNECT taken from the databases every server has, so that a service's role opens
/// its own database and no other. All of it happens in a temporary folder renamed at the end, so
/// a crash part way leaves no half-made cluster that a later start would take as finished.
/// </summary>
internal static class ManagedPostgres
{
    public static bool IsInitialized(ManagedServerPlan server) => File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION"));

    /// <param name="superuserPassword">The superuser's password (POSTGRES_PASSWORD, or the one kept for it).</param>
    /// <param name="log">Where initdb's and the server's output goes (the service's log).</param>
    public static async Task InitializeAsync(string service, ManagedServerPlan server, string? superuserPassword, Action<string> log, CancellationToken ct)
    {
        if (IsInitialized(server))
        {
            return;
        }
        var folder = server.Directory;
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (HostCommand.IsRoot)
        {
            await HandToServerUserAsync(folder, ct);
        }
        var staging = Path.Combine(folder, "data.init");
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
        var passwordFile = Path.Combine(folder, "superuser-password");
        var arguments = new List<string> { "-D", staging, "-U", server.Superuser, "-E", "UTF8", "--no-locale", "--no-instructions", "-A", server.Trust ? "trust" : "scram-sha-256" };
        if (superuserPassword is not null)
        {
            await WriteOwnedAsync(passwordFile, superuserPassword, ct);
            arguments.Add("--pwfile=" + passwordFile);
        }
        log($"initializing PostgreSQL {server.Binaries.Major} in {server.DataDirectory}");
        try
        {
            var (exit, output) = await HostCommand.RunAsync(server.Binaries.Program("initdb"), arguments, asServerUser: true, ct: ct);
            Log(log, output);
            if (exit != 0)
            {
                throw new DatabaseException($"initdb failed for the managed PostgreSQL of '{service}' (exit code {exit}): {LastLine(output)}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }

        var statements = new StringBuilder();
        var database = server.Database ?? server.Superuser;
        if (database != "postgres" && database != server.Superuser)
        {
            statements.Append($"CREATE DATABASE {DatabaseNames.Quote(database)}\n");
        }
        if (database != "postgres")
        {
            statements.Append($"REVOKE CONNECT, TEMPORARY ON DATABASE {DatabaseNames.Quote(database)} FROM PUBLIC\n");
        }
        statements.Append("REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC\n");
        statements.Append("REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC\n");
        // Single-user mode: no server to start and stop, no port, and it takes the statements on its standard input.
        var (code, text) = await HostCommand.RunAsync(server.Binaries.Program("postgres"), ["--single", "-D", staging, "postgres"], asServerUser: true, input: statements.ToString(), ct: ct);
        if (code != 0 || text.Contains("ERROR:", StringComparison.Ordinal))
        {
            throw new DatabaseException($"the managed PostgreSQL of '{service}' could not make its databases: {text.Split('\n').FirstOrDefault(l => l.Contains("ERROR:", StringComparison.Ordinal))?.Trim() ?? LastLine(text)}");
        }
        Directory.Move(staging, server.DataDirectory);
        log($"initialized PostgreSQL {server.Binaries.Major} (superuser '{server.Superuser}'{(server.Database is { } db ? $", database '{db}'" : "")})");
    }

    /// <summary>Root makes the folder; the postgres user owns it. Its parents must let that user through, or initdb fails obscurely.</summary>
    private static async Task HandToServerUserAsync(string folder, CancellationToken ct)
    {
        var (exit, output) = await HostCommand.RunAsync("chown", [$"{HostCommand.ServerUser}:", folder], asServerUser: false, ct: ct);
        if (exit != 0)
        {
            throw new DatabaseException($"could not give {folder} to the '{HostCommand.ServerUser}' user, which runs the managed PostgreSQL as this runs as root: {output}");
        }
        var (reachable, _) = await HostCommand.RunAsync("test", ["-w", folder], asServerUser: true, ct: ct);
        if (reachable != 0)
        {
            throw new DatabaseException($"the '{HostCommand.ServerUser}' user, which runs the managed PostgreSQL as autonomy runs as root, cannot reach {folder}: "
                + "a folder above it does not let other users through (e.g. /root is 0700). Put the project where that user can enter (chmod o+x on each folder above it), or run autonomy as an ordinary user");
        }
    }

    private static async Task WriteOwnedAsync(string path, string text, CancellationToken ct)
    {
        await using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        }
        if (HostCommand.IsRoot)
        {
            await HostCommand.RunAsync("chown", [$"{HostCommand.ServerUser}:", path], asServerUser: false, ct: ct);
        }
    }

    private static void Log(Action<string> log, string output)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            log(line);
        }
    }

    private static string LastLine(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "no output";
}
