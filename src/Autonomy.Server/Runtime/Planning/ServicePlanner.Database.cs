using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Data;
using Autonomy.Server.Data.Clusters;
using Autonomy.Server.Data.Managed;

namespace Autonomy.Server.Runtime.Planning;

internal sealed partial class ServicePlanner
{
    /// <summary>The name of the server Autonomy adds when services ask for a managed PostgreSQL and none is declared by image.</summary>
    internal const string AddedServerName = "postgres";

    // Probed natively on the replica's port every 250 ms while it starts, so that dependents go on as soon as it accepts connections.
    private static readonly TimeSpan ServerStartInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The service's database: its own <c>x-autonomy.database</c> (a provider, a cluster, <c>hash</c>, or
    /// <c>pin: CLUSTER</c>), else the project's, else hash over the named clusters if there are any, else
    /// SQLite. None when it opts out, or when the compose file gives it a DATABASE_URL of its own.
    /// </summary>
    private DatabasePlan? Database(ServiceDefinition service)
    {
        if (service.Environment.GetValueOrDefault("DATABASE_URL") is { Length: > 0 })
        {
            return null;
        }
        var own = Extension(service, "database");
        var settings = own as JsonObject;
        var ruleText = settings is not null ? Text(settings["pin"]) ?? Text(settings["provider"]) : Text(own);
        var choice = ruleText is not null ? Resolve(service, ruleText) : ProjectChoice(service);
        if (choice.Kind == DatabaseKind.None)
        {
            return null;
        }
        if (choice.Cluster is not null)
        {
            if (Placed(service, choice) is not { } placed)
            {
                return null;
            }
            choice = placed;
        }
        var init = Text(settings?["init"]) is { } folder ? Path.GetFullPath(folder, project.ProjectDirectory) : null;
        string name;
        string? note = null;
        if (Text(settings?["name"]) is { } given)
        {
            name = given;
        }
        else if (choice.Kind == DatabaseKind.Sqlite)
        {
            name = service.Name;
        }
        else if (DatabaseNames.For(service.Name, out note, out var error) is { } identifier)
        {
            name = identifier;
        }
        else
        {
            Problem(service, $"it cannot have a PostgreSQL role and database of its name: {error}",
                "give them another name with x-autonomy: {database: {name: NAME}} (lowercase letters, digits and '_')");
            return null;
        }
        return new DatabasePlan { Service = service.Name, Choice = choice, Name = name, InitFolder = init, NameNote = note };
    }

    private DatabaseChoice ProjectChoice(ServiceDefinition service) =>
        project.Extensions.GetValueOrDefault("x-autonomy") is JsonObject o && Text(o["database"]) is { } text ? Resolve(service, text)
        : Clusters.Count > 0 ? Resolve(service, DatabaseChoice.Hash)
        : DatabaseChoice.Sqlite;

    /// <summary>A cluster's name pins the service there; <c>hash</c> picks one by its name; anything else is a provider.</summary>
    private DatabaseChoice Resolve(ServiceDefinition service, string text)
    {
        if (Clusters.FirstOrDefault(c => c.Name == text) is { } pinned)
        {
            return DatabaseChoice.OnCluster(pinned, ClusterRule.Pin);
        }
        if (text == DatabaseChoice.Hash && Clusters.Count > 0)
        {
            return DatabaseChoice.OnCluster(ClusterPlacement.ByHash(service.Name, Clusters), ClusterRule.Hash);
        }
        return Parse(text);
    }

    /// <summary>
    /// A database holds its data where it was made. A service placed by hash whose database is on
    /// another named cluster (the clusters changed since) stays there; one pinned elsewhere is an
    /// error that says how to move its data, never a new empty database in its place.
    /// </summary>
    private DatabaseChoice? Placed(ServiceDefinition service, DatabaseChoice choice)
    {
        var record = ExistingDatabases.FirstOrDefault(r => r.Service == service.Name && r.Provider == "postgres");
        var madeOn = record is null ? null
            : Clusters.FirstOrDefault(c => c.Name == record.Cluster) ?? Clusters.FirstOrDefault(c => c.Address.ToString() == record.Server);
        if (record is null || madeOn is null || madeOn == choice.Cluster)
        {
            if (record?.Cluster is { } gone && madeOn is null)
            {
                Notes.Add($"service '{service.Name}': its database was made on the cluster '{gone}', which x-autonomy.databases no longer names; "
                    + $"a new one is made on '{choice.Cluster!.Name}' (the old one stays on {record.Server} until you drop it there)");
            }
            return choice;
        }
        if (choice.Rule == ClusterRule.Hash)
        {
            Notes.Add($"service '{service.Name}': hash placement now picks the cluster '{choice.Cluster!.Name}', and its database stays on '{madeOn.Name}', where it was made");
            return DatabaseChoice.OnCluster(madeOn, ClusterRule.Hash);
        }
        Problem(service, $"it is pinned to the cluster '{choice.Cluster!.Name}', and its database was made on '{madeOn.Name}', where its data is",
            $"move the data first: autonomy db backup {service.Name} -o {service.Name}.dump; give it x-autonomy: {{database: false}} and run up; "
            + $"autonomy db drop {service.Name}; pin it and run up; autonomy db restore {service.Name} {service.Name}.dump. Or pin it to '{madeOn.Name}'");
        return null;
    }

    /// <summary>The clusters of <c>x-autonomy.databases</c>, in the file's order.</summary>
    private IReadOnlyList<DatabaseCluster> Clusters => _clusters ??= DatabaseCluster.From(
        project.Extensions.GetValueOrDefault("x-autonomy") is JsonObject o && o["databases"] is JsonObject named
            ? named.Select(e => KeyValuePair.Create(e.Key, Text(e.Value)))
            : []);

    private IReadOnlyList<DatabaseCluster>? _clusters;

    /// <summary>The databases made by earlier runs, to keep each where its data is.</summary>
    private IReadOnlyList<DatabaseRecord> ExistingDatabases => _existing ??= new DatabaseRegistry(DatabaseRegistry.DirectoryIn(options.StateDirectory)).All();

    private IReadOnlyList<DatabaseRecord>? _existing;

    // The compose loader has checked these fields where they are written; what reaches here parses.
    private static DatabaseChoice Parse(string text) => DatabaseChoice.TryParse(text, out var choice, out _) ? choice! : DatabaseChoice.Sqlite;

    private static string? Text(JsonNode? node) => node is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.TryGetValue<bool>(out var b) ? (b ? "true" : "false") : null) : null;

    /// <summary>
    /// A service declared by the postgres image runs as a managed PostgreSQL server, initialized as the
    /// image would be (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_HOST_AUTH_METHOD=trust).
    /// </summary>
    private ServicePlan? PlanPostgresImage(ServiceDefinition service, string image, int? major)
    {
        var binaries = FindPostgres(service, major, $"it is declared by the image {image}, which Autonomy runs as its managed PostgreSQL");
        if (binaries is null)
        {
            return null;
        }
        if (major is { } wanted && wanted != binaries.Major)
        {
            Notes.Add($"service '{service.Name}': the image {image} asks for PostgreSQL {wanted}; it runs on this machine's PostgreSQL {binaries.Major} ({binaries.Directory})");
        }
        var environment = service.Environment;
        var superuser = environment.GetValueOrDefault("POSTGRES_USER") is { Length: > 0 } user ? user : "postgres";
        var password = environment.GetValueOrDefault("POSTGRES_PASSWORD") is { Length: > 0 } given ? given : null;
        var trust = environment.GetValueOrDefault("POSTGRES_HOST_AUTH_METHOD") == "trust";
        if (password is null && !trust)
        {
            Problem(service, "it is a PostgreSQL server (image postgres) with no POSTGRES_PASSWORD, which the image requires",
                "set POSTGRES_PASSWORD in its environment (or POSTGRES_HOST_AUTH_METHOD: trust to need none)");
            return null;
        }
        if (service.Replicas != 1)
        {
            Problem(service, $"it is a PostgreSQL server and asks for {service.Replicas} replicas; a server's data folder has one", "remove deploy.replicas (or scale) from it");
            return null;
        }
        var server = new ManagedServerPlan
        {
            Directory = Path.Combine(options.StateDirectory, "pg", service.Name),
            Binaries = binaries,
            Superuser = superuser,
            Password = password,
            Trust = trust,
            Database = environment.GetValueOrDefault("POSTGRES_DB") is { Length: > 0 } db ? db : superuser,
            Image = image,
        };
        var definition = service with
        {
            // The image stops with SIGINT (PostgreSQL's fast shutdown); SIGTERM would wait for every client to leave.
            StopSignal = service.Attributes.ContainsKey("stop_signal") ? service.StopSignal : "SIGINT",
        };
        return ServerPlan(definition, server, service.HealthCheck is { Disabled: false } check ? FromCompose(check) : null);
    }

    private ServicePlan ServerPlan(ServiceDefinition service, ManagedServerPlan server, HealthSpec? timing)
    {
        // Root cannot run postgres: as root, the server runs as the postgres user. setpriv replaces itself
        // with postgres (no process stays between), so that the supervisor's signals reach the server directly.
        var asUser = HostCommand.IsRoot ? "exec setpriv --reuid=postgres --regid=postgres --init-groups -- " : "exec ";
        var postgres = server.Binaries.Program("postgres");
        var isReady = server.Binaries.Program("pg_isready");
        var spec = (timing ?? NativeDefaults) with
        {
            Kind = HealthProbeKind.Command,
            Command = ["/bin/sh", "-c", $"exec '{isReady}' -q -h 127.0.0.1 -p \"$PORT\""],
            HttpPath = null,
            StartInterval = ServerStartInterval,
            // Crash recovery after an unclean stop can take a while; until the server answers, a failed probe does not count.
            StartPeriod = TimeSpan.FromSeconds(Math.Max(60, (timing ?? NativeDefaults).StartPeriod.TotalSeconds)),
        };
        return new ServicePlan
        {
            Service = service,
            Command = ["/bin/sh", "-c", $"{asUser}\"$0\" -D \"$1\" -p \"$PORT\" -c listen_addresses=127.0.0.1 -c unix_socket_directories=", postgres, server.DataDirectory],
            Program = "/bin/sh",
            CommandSource = service.Image is { } image ? $"the managed PostgreSQL {server.Binaries.Major} for the image {image}" : $"the managed PostgreSQL {server.Binaries.Major}",
            WorkingDirectory = project.ProjectDirectory,
            Health = spec,
            ServicePort = ServicePort(service),
            Published = Published(service),
            ManagedServer = server,
        };
    }

    private PostgresBinaries? FindPostgres(ServiceDefinition service, int? major, string why)
    {
        var binaries = PostgresBinaries.Find(options.PostgresBinaryDirectories, Inherited().GetValueOrDefault("PATH"), major);
        if (binaries is null)
        {
            Problem(service, $"{why}, but PostgreSQL's server programs (initdb, postgres) are not on this machine (searched {PostgresBinaries.Searched(options.PostgresBinaryDirectories)})",
                "install them (Debian: apt-get install postgresql), or give the service another provider: x-autonomy: {database: sqlite} or postgres://ADMIN@HOST:PORT");
        }
        return binaries;
    }

    /// <summary>
    /// Services on a managed PostgreSQL use the project's first server declared by the postgres image,
    /// else one Autonomy adds; either way they wait for it to be healthy before they start.
    /// </summary>
    private void AssignManagedServers(List<ServicePlan> plans)
    {
        var users = plans.Where(p => p.Database?.Choice.Kind == DatabaseKind.ManagedPostgres).ToList();
        if (users.Count == 0)
        {
            return;
        }
        var server = plans.FirstOrDefault(p => p.ManagedServer is not null)
            ?? project.Services.Where(s => s.Command is null && s.Entrypoint is null && s.Build is null && s.Image is { } i && PostgresImage.IsPostgres(i, out _))
                .Select(Plan).FirstOrDefault(p => p is not null);
        if (server is null)
        {
            var name = project.FindService(AddedServerName) is null ? AddedServerName : "autonomy-" + AddedServerName;
            var binaries = FindPostgres(users[0].Service, null, "it asks for a managed PostgreSQL database (x-autonomy.database: postgres)");
            if (binaries is null)
            {
                return;
            }
            var definition = new ServiceDefinition
            {
                Name = name,
                Attributes = new JsonObject { ["x-autonomy"] = new JsonObject { ["managed"] = "postgres" } },
                Restart = new RestartPolicy(RestartKind.Always),
                StopSignal = "SIGINT",
                StopGracePeriod = TimeSpan.FromSeconds(30),
            };
            server = ServerPlan(definition, new ManagedServerPlan
            {
                Directory = Path.Combine(options.StateDirectory, "pg", name),
                Binaries = binaries,
                Superuser = "postgres",
            }, null);
        }
        if (!plans.Contains(server))
        {
            plans.Insert(0, server);
        }
        foreach (var user in users)
        {
            var index = plans.IndexOf(user);
            var dependsOn = new Dictionary<string, ServiceDependency>(user.Service.DependsOn, StringComparer.Ordinal)
            {
                [server.Name] = new ServiceDependency(DependencyCondition.ServiceHealthy, true, false),
            };
            plans[index] = user with { Service = user.Service with { DependsOn = dependsOn }, Database = user.Database! with { ManagedServer = server.Name } };
        }
    }

    /// <summary>Two services whose names map to the same role on one server would share a database: neither may.</summary>
    private void CheckDatabaseNames(List<ServicePlan> plans)
    {
        foreach (var plan in plans.Where(p => p.Database?.NameNote is not null))
        {
            Notes.Add($"service '{plan.Name}': {plan.Database!.NameNote}");
        }
        var clashes = plans.Where(p => p.Database is { Choice.Kind: not DatabaseKind.Sqlite })
            .GroupBy(p => (p.Database!.Name, Server: p.Database.ManagedServer ?? p.Database.Choice.Server?.HostList))
            .Where(g => g.Count() > 1);
        foreach (var clash in clashes)
        {
            var names = string.Join(" and ", clash.Select(p => $"'{p.Name}'"));
            Problem(clash.First().Service, $"services {names} would share the PostgreSQL role and database '{clash.Key.Name}'",
                "give one of them another with x-autonomy: {database: {name: NAME}}");
        }
    }
}
