using System.Collections.Concurrent;
using Autonomy.Server.Data.Health;
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
public sealed partial class Databases : IServiceDatabases, IAsyncDisposable
{
    private readonly Supervisor _supervisor;
    private readonly IDatabasePasswords _passwords;
    private readonly DatabaseRegistry _registry;
    private readonly ConcurrentDictionary<string, DatabaseAccess> _access = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PostgresServer> _servers = new(StringComparer.Ordinal);
    private readonly Dictionary<PostgresServer, ServerMonitor> _monitors = [];
    private readonly Dictionary<string, ServerMonitor> _monitorOf = new(StringComparer.Ordinal);
    private readonly Lock _watching = new();

    public Databases(Supervisor supervisor, IDatabasePasswords passwords)
    {
        _supervisor = supervisor;
        _passwords = passwords;
        DataDirectory = DatabaseRegistry.DirectoryIn(supervisor.Options.StateDirectory);
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
            Unwatch(plan.Name);
        }
    }

    public IReadOnlyDictionary<string, string> VariablesFor(string service) =>
        _access.TryGetValue(service, out var access) ? access.Variables : new Dictionary<string, string>();

    private async Task<DatabaseAccess> ProvisionAsync(DatabasePlan plan, CancellationToken ct)
    {
        var log = (string text) => Log(plan.Service, text);
        if (plan.Choice.Kind == DatabaseKind.Sqlite)
        {
            Unwatch(plan.Service);
            var path = SqliteDatabase.PathFor(DataDirectory, plan.Name);
            await SqliteDatabase.ProvisionAsync(path, plan.InitFolder, log, ct);
            _registry.Put(new DatabaseRecord(plan.Service, "sqlite", plan.Name, path, null, DateTimeOffset.UtcNow));
            return SqliteDatabase.Access(path);
        }
        var server = plan.ManagedServer is { } managed ? ManagedServer(managed) : ExternalServer(plan.Choice.Server!, plan.Choice.Cluster?.Name);
        var password = await server.ProvisionAsync(plan, _passwords, ct);
        _registry.Put(new DatabaseRecord(plan.Service, "postgres", plan.Name, server.HostList, plan.ManagedServer ?? plan.Choice.Server!.ToString(), DateTimeOffset.UtcNow,
            plan.Choice.Cluster?.Name, plan.Choice.Rule?.ToString().ToLowerInvariant()));
        if (plan.InitFolder is { } folder)
        {
            await using var connection = await server.OpenAsAsync(plan.Name, password, ct);
            await InitScripts.ApplyAsync(connection, folder, log, ct);
        }
        Watch(plan.Service, server);
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

    /// <summary>A server of the user's; a named cluster's admin password is in PGPASSWORD_&lt;CLUSTER&gt;, else PGPASSWORD, else ~/.pgpass.</summary>
    private PostgresServer ExternalServer(PostgresServerAddress address, string? cluster)
    {
        var environment = _supervisor.Project.Environment;
        var own = cluster is null ? null : Clusters.DatabaseCluster.PasswordVariableOf(cluster);
        var variable = own is not null && environment.GetValueOrDefault(own) is { Length: > 0 } ? own : "PGPASSWORD";
        var password = environment.GetValueOrDefault(variable) is { Length: > 0 } given ? given : null;
        var source = password is null
            ? $"Give the password of '{address.Admin}' in {(own is null ? "" : own + " or ")}PGPASSWORD (the shell or the project's .env) or in ~/.pgpass"
            : $"The password came from {variable} (the shell or the project's .env): set the one of '{address.Admin}' there";
        var display = cluster is null ? address.ToString() : $"'{cluster}' ({address})";
        return _servers.GetOrAdd($"{display} {password}", _ => new PostgresServer(display, address.Hosts, address.Admin, password, source));
    }

    private string? SuperuserPassword(string service, ManagedServerPlan server) =>
        server.Password ?? (server.Trust ? null : _passwords.Find(PasswordOwner.ServerSuperuser, service) ?? _passwords.Create(PasswordOwner.ServerSuperuser, service));

    private void Log(string service, string text) =>
        _supervisor.Logs.Write(new LogLine(DateTimeOffset.UtcNow, service, $"{service}-db", LogStream.System, text));
}
