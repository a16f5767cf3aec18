using Autonomy.Server.Data.Managed;
using Autonomy.Server.Data.Postgres;
using Autonomy.Server.Data.Sqlite;

namespace Autonomy.Server.Data;

public sealed partial class Databases
{
    public IReadOnlyList<DatabaseView> List()
    {
        var inUse = _supervisor.Plans.Where(p => p.Database is not null).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return [.. _registry.All().Select(r => new DatabaseView(r.Service, r.Provider, r.Name, r.Location, r.Server, inUse.Contains(r.Service), r.Created, r.Cluster, r.Placement,
            inUse.Contains(r.Service) ? HealthOf(r.Service) : null))];
    }

    public DatabaseView? Find(string service) => List().FirstOrDefault(d => d.Service == service);

    /// <summary>How the service reaches its database (its password included: the admin's eyes only).</summary>
    public DatabaseAccess Access(string service)
    {
        if (_access.TryGetValue(service, out var access))
        {
            return access;
        }
        var record = Record(service);
        return record.Provider == "sqlite" ? SqliteDatabase.Access(record.Location) : ServerOf(record).Access(record.Name, PasswordOf(record));
    }

    /// <summary>A copy of the database written to <paramref name="output"/>: SQLite's own file format, or pg_dump's custom format.</summary>
    public async Task BackupAsync(string service, Stream output, CancellationToken ct)
    {
        var record = Record(service);
        if (record.Provider == "sqlite")
        {
            var copy = Path.Combine(DataDirectory, $".backup-{Guid.NewGuid():N}.db");
            try
            {
                await Task.Run(() => SqliteDatabase.Backup(record.Location, copy), ct);
                await using var file = File.OpenRead(copy);
                await file.CopyToAsync(output, ct);
            }
            finally
            {
                File.Delete(copy);
            }
            return;
        }
        var server = ServerOf(record);
        var (exit, errors) = await HostCommand.RunAsync(ClientProgram("pg_dump"), ["--format=custom", "--no-owner", "--no-privileges", "--dbname=" + DumpUrl(server, record)],
            asServerUser: false, environment: ClientEnvironment(record), stdout: output, ct: ct);
        if (exit != 0)
        {
            throw new DatabaseException($"pg_dump of '{service}' failed: {errors}");
        }
    }

    /// <summary>Replaces the database's content with a backup's (made by <see cref="BackupAsync"/>).</summary>
    public async Task RestoreAsync(string service, Stream input, CancellationToken ct)
    {
        var record = Record(service);
        if (record.Provider == "sqlite")
        {
            var upload = Path.Combine(DataDirectory, $".restore-{Guid.NewGuid():N}.db");
            try
            {
                await using (var file = new FileStream(upload, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Secrets.DurableFile.OwnerOnly }))
                {
                    await input.CopyToAsync(file, ct);
                }
                await Task.Run(() => SqliteDatabase.Restore(upload, record.Location), ct);
            }
            finally
            {
                File.Delete(upload);
                File.Delete(upload + "-journal");
            }
            return;
        }
        var server = ServerOf(record);
        // One transaction: a restore that fails part way changes nothing. --clean drops what the backup holds before making it again.
        var (exit, errors) = await HostCommand.RunAsync(ClientProgram("pg_restore"),
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname=" + DumpUrl(server, record)],
            asServerUser: false, environment: ClientEnvironment(record), stdin: input, ct: ct);
        if (exit != 0)
        {
            throw new DatabaseException($"pg_restore into '{service}' failed, and nothing was changed: {errors}");
        }
    }

    /// <summary>Drops the database of a service that no longer runs, with its role and password.</summary>
    public async Task DropAsync(string service, CancellationToken ct)
    {
        var record = Record(service);
        if (_supervisor.Plans.Any(p => p.Name == service && p.Database is not null))
        {
            throw new DatabaseInUseException($"'{service}' runs with this database now: remove it from the compose file (or give it x-autonomy: {{database: false}}) and run 'autonomy up', then drop it");
        }
        if (record.Provider == "sqlite")
        {
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            {
                File.Delete(record.Location + suffix);
            }
        }
        else
        {
            await ServerOf(record).DropAsync(record.Name, ct);
            _passwords.Remove(PasswordOwner.ServiceRole, service);
        }
        _access.TryRemove(service, out _);
        Unwatch(service);
        _registry.Remove(service);
    }

    private DatabaseRecord Record(string service) =>
        _registry.Find(service) ?? throw new DatabaseNotFoundException($"no database was made for '{service}' in this project");

    private PostgresServer ServerOf(DatabaseRecord record)
    {
        if (record.IsManaged)
        {
            return ManagedServer(record.Server!);
        }
        if (!PostgresServerAddress.TryParse(record.Server!, out var address, out var error))
        {
            throw new DatabaseException($"the record of '{record.Service}' names the server '{record.Server}', which cannot be read: {error}");
        }
        return ExternalServer(address!, record.Cluster);
    }

    private string PasswordOf(DatabaseRecord record) =>
        _passwords.Find(PasswordOwner.ServiceRole, record.Service) ?? throw new DatabaseException($"the password of '{record.Service}' is not kept any more; run 'autonomy up' with the service to set a new one");

    // The password goes in PGPASSWORD, never on a command line, where ps would show it to every user.
    private static string DumpUrl(PostgresServer server, DatabaseRecord record) => PostgresConnections.Url(server.Hosts, record.Name, null, record.Name);

    private Dictionary<string, string> ClientEnvironment(DatabaseRecord record) => new() { ["PGPASSWORD"] = PasswordOf(record), ["PGCONNECT_TIMEOUT"] = "10" };

    /// <summary>pg_dump and pg_restore: beside the newest server programs, else on PATH.</summary>
    private string ClientProgram(string name)
    {
        var path = _supervisor.Inherited.GetValueOrDefault("PATH");
        if (PostgresBinaries.Find(_supervisor.Options.PostgresBinaryDirectories, path) is { } binaries && File.Exists(binaries.Program(name)))
        {
            return binaries.Program(name);
        }
        return (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new DatabaseException($"{name} is not installed, and backups of PostgreSQL databases use it: install PostgreSQL's client programs (Debian: apt-get install postgresql-client)");
    }
}

/// <summary>No database was made for that service.</summary>
public sealed class DatabaseNotFoundException(string message) : Exception(message);

/// <summary>The database's service still runs with it.</summary>
public sealed class DatabaseInUseException(string message) : Exception(message);
