using System.Collections.Concurrent;
using Autonomy.Server.Data.Managed;
using Autonomy.Server.Data.Postgres;
using Autonomy.Server.Data.Sqlite;
using Autonomy.Server.Runtime.Logs;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Server.Data;

/// <summary>
/// A database per service: made (or found) before the service starts, on the provider its plan
/// names, and handed to it in DATABASE_URL; listed, backed up, restored and dropped for the CLI.
/// One per project, beside its supervisor.
/// </summary>
public sealed partial class Databases : IServiceDatabases
{
    private readonly Supervisor _supervisor;
    private readonly IDatabasePasswords _passwords;
    private readonly DatabaseRegistry _registry;
    private readonly ConcurrentDictionary<string, DatabaseAccess> _access = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PostgresServer> _servers = new(StringComparer.Ordinal);

    public Databases(Supervisor supervisor, IDatabasePasswords passwords)
    {
        _supervisor = supervisor;
        _passwords = passwords;
        DataDirectory = Path.Combine(supervisor.Options.StateDirectory, "data");
        _registry = new DatabaseRegistry(DataDirectory);
    }

    /// <summary><c>&lt;state&gt;/data</c>: the SQLite files and the record of what was made.</summary>
    public string DataDirectory { get; }

    public async Task PrepareAsync(ServicePlan plan, CancellationToken ct)
    {
        if (plan.ManagedServer is { } server)
        {
            await ManagedPostgres.InitializeAsync(plan.Name, server, SuperuserPassword(plan.Name, server), text => Log(plan.Name, text), ct);
        }
        if (plan.Database is { } database)
        {
            _access[plan.Name] = await ProvisionAsync(database, ct);
        }
        else
        {
            _access.TryRemove(plan.Name, out _);
        }
    }

    public IReadOnlyDictionary<string, string> VariablesFor(string service) =>
        _access.TryGetValue(service, out var access) ? access.Variables : new Dictionary<string, string>();

    private async Task<DatabaseAccess> ProvisionAsync(DatabasePlan plan, CancellationToken ct)
    {
        var log = (string text) => Log(plan.Service, text);
        if (plan.Choice.Kind == DatabaseKind.Sqlite)
        {
            var path = SqliteDatabase.PathFor(DataDirectory, plan.Name);
            await SqliteDatabase.ProvisionAsync(path, plan.InitFolder, log, ct);
            _registry.Put(new DatabaseRecord(plan.Service, "sqlite", plan.Name, path, null, DateTimeOffset.UtcNow));
            return SqliteDatabase.Access(path);
        }
        var server = plan.ManagedServer is { } managed ? ManagedServer(managed) : ExternalServer(plan.Choice.Server!);
        var password = await server.ProvisionAsync(plan, _passwords, ct);
        _registry.Put(new DatabaseRecord(plan.Service, "postgres", plan.Name, server.HostList, plan.ManagedServer ?? plan.Choice.Server!.ToString(), DateTimeOffset.UtcNow));
        if (plan.InitFolder is { } folder)
        {
            await using var connection = await server.OpenAsAsync(plan.Name, password, ct);
            await InitScripts.ApplyAsync(connection, folder, log, ct);
        }
        return server.Access(plan.Name, password);
    }

    /// <summary>The managed server run by <paramref name="service"/>, through the stable port in front of it.</summary>
    private PostgresServer ManagedServer(string service)
    {
        var plan = _supervisor.Plans.FirstOrDefault(p => p.Name == service && p.ManagedServer is not null)
            ?? throw new DatabaseException($"the managed PostgreSQL '{service}' does not run now (no service of the compose file uses it); run 'autonomy up' with a service that does");
        var server = plan.ManagedServer!;
        var hosts = new[] { new PostgresHost("127.0.0.1", plan.ServicePort) };
        var password = SuperuserPassword(service, server);
        return _servers.GetOrAdd($"managed {service} {plan.ServicePort} {password}", _ => new PostgresServer(
            $"'{service}' (managed)", hosts, server.Superuser, password, $"Its superuser's password is {(server.Password is null ? "kept by Autonomy" : "POSTGRES_PASSWORD")}; if it was changed, set it back"));
    }

    private PostgresServer ExternalServer(PostgresServerAddress address)
    {
        var environment = _supervisor.Project.Environment;
        var password = environment.GetValueOrDefault("PGPASSWORD") is { Length: > 0 } given ? given : null;
        var source = password is null
            ? $"Give the password of '{address.Admin}' in PGPASSWORD (the shell or the project's .env) or in ~/.pgpass"
            : $"The password came from PGPASSWORD (the shell or the project's .env): set the one of '{address.Admin}' there";
        return _servers.GetOrAdd($"{address} {password}", _ => new PostgresServer(address.ToString(), address.Hosts, address.Admin, password, source));
    }

    private string? SuperuserPassword(string service, ManagedServerPlan server) =>
        server.Password ?? (server.Trust ? null : _passwords.Find(PasswordOwner.ServerSuperuser, service) ?? _passwords.Create(PasswordOwner.ServerSuperuser, service));

    private void Log(string service, string text) =>
        _supervisor.Logs.Write(new LogLine(DateTimeOffset.UtcNow, service, $"{service}-db", LogStream.System, text));
}
