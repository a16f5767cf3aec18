using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Autonomy.Server.Api;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Config;
using Autonomy.Server.Governance;
using Autonomy.Server.Runtime;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Processes;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Server.Secrets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Autonomy.Server.Hosting;

/// <summary>
/// The server: a project's supervisor with its HTTP API on 127.0.0.1. It records where it listens
/// in the project's state folder, so that the CLI's verbs can reach it.
/// </summary>
public sealed class ControlPlane : IAsyncDisposable
{
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IReadOnlyDictionary<string, string> _environment;
    private WebApplication? _app;

    public ControlPlane(ComposeProject project, SupervisorOptions options)
    {
        ProjectName = project.Name;
        StateDirectory = options.StateDirectory;
        Supervisor = new Supervisor(project, options);
        Tokens = new TokenRegistry(() => Supervisor.Project) { Port = () => Port };
        Supervisor.Credentials = Tokens;
        // Where the master key comes from (AUTONOMY_MASTER_KEY…): the environment the platform runs in.
        _environment = options.InheritedEnvironment ?? Compose.Loading.ComposeLoader.ProcessEnvironment();
        Databases = new Data.Databases(Supervisor, new Data.StoredDatabasePasswords(() => Secrets));
        Supervisor.Databases = Databases;
        Amqp = new Messaging.Amqp.AmqpServer(() => Broker, BrokerUsers);
        Gateway = new Gateway.HttpGateway(Supervisor, Registry, Path.Combine(StateDirectory, "logs", "gateway"));
        Supervisor.HttpFrontends = Gateway;
        Supervisor.Traffic.Add(Gateway);
    }

    /// <summary>Each service's own database.</summary>
    public Data.Databases Databases { get; }

    /// <summary>The broker's users (each service's own, and those an admin made) and their vhost permissions.</summary>
    public Messaging.Access.BrokerUsers BrokerUsers { get; } = new();

    /// <summary>The embedded message broker; open once <see cref="ListenAsync(int, int, CancellationToken)"/> has run.</summary>
    public Messaging.Engine.Broker Broker => _broker ?? throw new InvalidOperationException("the control plane is not listening yet");

    private Messaging.Engine.Broker? _broker;

    /// <summary>The broker's AMQP 0-9-1 listener, on <see cref="AmqpPort"/>.</summary>
    public Messaging.Amqp.AmqpServer Amqp { get; }

    /// <summary>The loopback port AMQP clients connect to; known once <see cref="ListenAsync(int, CancellationToken)"/> has run.</summary>
    public int AmqpPort { get; private set; }

    /// <summary>The messages the HTTP API has handed out under a lease.</summary>
    internal Messaging.Http.LeaseBook Leases { get; } = new(TimeProvider.System);

    /// <summary>Each service's vhost, user and MESSAGE_QUEUE_HTTP_URL; set once <see cref="ListenAsync(int, int, CancellationToken)"/> has run.</summary>
    internal Messaging.ServiceVirtualHosts? ServiceVhosts { get; private set; }

    // The embedded broker, or the RabbitMQ server the compose file names.
    private Messaging.MessagingBackends? _messaging;

    /// <summary>The RabbitMQ server that holds a service's vhost, or null when the embedded broker does.</summary>
    internal Messaging.RabbitMq.RabbitMqBackend? RabbitMqOf(string vhost) => _messaging?.RabbitMqOf(vhost);

    /// <summary>Every instance of every service: the replicas the supervisor runs and external ones registered through the API.</summary>
    public Registry.ServiceRegistry Registry { get; } = new();

    private Registry.ReplicaRegistration? _registration;

    /// <summary>Rate limits, API keys and quotas of the gateway's routes; open once <see cref="ListenAsync(int, int, CancellationToken)"/> has run.</summary>
    public Autonomy.Server.Gateway.Traffic.TrafficControl Traffic => _traffic ?? throw new InvalidOperationException("the control plane is not listening yet");

    private Autonomy.Server.Gateway.Traffic.TrafficControl? _traffic;

    /// <summary>The HTTP gateway (routes and HTTP services' ports); started by <see cref="ListenAsync(int, int, CancellationToken)"/>.</summary>
    public Gateway.HttpGateway Gateway { get; }

    /// <summary>Every token the server accepts: the admin-token file's, made ones, and each running replica's.</summary>
    internal TokenRegistry Tokens { get; }

    /// <summary>The audit log; open once <see cref="ListenAsync(int, int, CancellationToken)"/> has run.</summary>
    internal AuditLog Audit => _audit ?? throw new InvalidOperationException("the control plane is not listening yet");

    private AuditLog? _audit;
    private Timer? _saveLastUse;

    /// <summary>The project's config center; open once <see cref="ListenAsync(int, int, CancellationToken)"/> has run.</summary>
    public ConfigCenter Config => _config ?? throw new InvalidOperationException("the control plane is not listening yet");

    private ConfigCenter? _config;

    private Diagnostics.PlaneMetrics? _metrics;

    internal ConfigFileSync? ConfigSync { get; private set; }

    internal CanaryReleases? Canaries { get; private set; }

    /// <summary>The project's secrets; open once <see cref="ListenAsync(int, int, CancellationToken)"/> has run.</summary>
    public SecretStore Secrets => _secrets ?? throw new InvalidOperationException("the control plane is not listening yet");

    private SecretStore? _secrets;

    internal SecretFileSync? SecretSync { get; private set; }

    /// <summary>A namespace for each service of <paramref name="project"/> and each its configs render, before anything reads them.</summary>
    internal Task EnsureNamespacesAsync(ComposeProject project, CancellationToken ct) =>
        Config.EnsureNamespacesAsync(project.Services.Select(s => s.Name).Concat(ConfigFileSync.Namespaces(project.Configs.Values)).Append(CanaryReleases.Namespace), ct);

    public string ProjectName { get; }

    public string StateDirectory { get; }

    public Supervisor Supervisor { get; }

    /// <summary>starting, running, failed or stopping.</summary>
    public string Phase { get; private set; } = "starting";

    /// <summary>While the server stops, the part it is stopping: a stop that hangs says where.</summary>
    public string? Stopping
    {
        get => _stopping == "gateway" ? $"gateway ({Gateway.StopStep ?? "starting to stop"})" : _stopping;
        private set => _stopping = value;
    }

    private string? _stopping;

    public string? Failure { get; private set; }

    public IReadOnlyList<string> FailureLines { get; private set; } = [];

    public int Port { get; private set; }

    /// <summary>The API's routes, as mapped.</summary>
    internal IEnumerable<Microsoft.AspNetCore.Routing.RouteEndpoint> Endpoints =>
        ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)(_app ?? throw new InvalidOperationException("the control plane is not listening yet")))
            .DataSources.SelectMany(d => d.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>();

    /// <summary>Completes when a client asked the server to shut down.</summary>
    public Task ShutdownRequested => _shutdown.Task;

    public void RequestShutdown() => _shutdown.TrySetResult();

    /// <summary>Starts listening on 127.0.0.1 (HTTP and AMQP, each on a free port) and records the ports.</summary>
    public Task ListenAsync(int port = 0, CancellationToken ct = default) => ListenAsync(port, 0, ct);

    /// <summary>Starts listening on 127.0.0.1, HTTP on <paramref name="port"/> and AMQP on <paramref name="amqpPort"/> (0: a free one), and records the ports.</summary>
    public async Task ListenAsync(int port, int amqpPort, CancellationToken ct = default)
    {
        // No appsettings reload: it would watch the project's folder tree with inotify (the server's
        // working directory), which in a large repository costs thousands of watches for nothing.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? httpListener = null;
        Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? amqpListener = null;
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, port, o => httpListener = o);
            k.Listen(System.Net.IPAddress.Loopback, amqpPort, o =>
            {
                amqpListener = o;
                o.UseConnectionHandler<Messaging.Amqp.AmqpConnectionHandler>();
            });
        });
        builder.Services.AddSingleton(Amqp);
        // A request runs on the thread that received it, and a response is sent by the thread that wrote
        // it, instead of each hopping through Kestrel's I/O queues: on a laptop's few cores those hops
        // cost more than the API's work (a key read, a fan-out to a thousand watchers). Safe here because
        // no handler blocks its thread for long (store reads are in memory, writes await the group commit).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.Services.AddProblemDetails();
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        _app = builder.Build();
        EndOnShutdown.Use(_app);
        ApiErrors.Use(_app);
        _config = ConfigCenter.Open(StateDirectory);
        try
        {
            _secrets = SecretStore.OpenIn(StateDirectory, _environment);
        }
        catch (MasterKeyException e)
        {
            throw new ServicePlanException([e.Message]);
        }
        SecretSync = new SecretFileSync(Supervisor, _secrets);
        var store = (Store.SqliteConfigStore)_config.Store;
        var adminToken = ServerRecord.AdminToken(StateDirectory);
        Tokens.Open(store, adminToken, File.GetLastWriteTimeUtc(ServerRecord.TokenPathIn(StateDirectory)));
        _audit = new AuditLog(store);
        BrokerUsers.Open(store);
        _broker = await Messaging.Engine.Broker.OpenAsync(new Messaging.Engine.BrokerOptions { Directory = Path.Combine(StateDirectory, "broker") }, ct);
        ServiceVhosts = new Messaging.ServiceVirtualHosts(_broker, BrokerUsers, () => Port, () => AmqpPort);
        _messaging = new Messaging.MessagingBackends(ServiceVhosts, _broker, () => Supervisor.Project, new Messaging.RabbitMq.RabbitMqPasswords(() => Secrets));
        Supervisor.Messaging = _messaging;
        _saveLastUse = new Timer(_ => _ = SaveLastUseAsync(), null, LastUseSaveInterval, LastUseSaveInterval);
        await EnsureNamespacesAsync(Supervisor.Project, ct);
        ConfigSync = new ConfigFileSync(Supervisor, _config);
        // Whichever backend gives the services their vhosts, the rabbitmq image is served here.
        Supervisor.EmbeddedBroker = new Messaging.RabbitMqImageBroker(_broker, BrokerUsers, () => AmqpPort);
        Canaries = new CanaryReleases(_config, Supervisor) { ReplicasChanged = ConfigSync.RefreshAsync };
        ConfigSync.Canaries = Canaries;
        Supervisor.ReplicaReplaced = (_, old, replacement) => Canaries.ReplicaReplacedAsync(old, replacement, CancellationToken.None);
        ConfigSync.Attach();
        _registration = new Registry.ReplicaRegistration(Supervisor, Registry);
        await Gateway.StartAsync(Runtime.Planning.GatewayEndpoint.Of(Supervisor.Project), ct);
        ControlPlaneApi.Map(_app, this);
        ConfigApi.Map(_app, _config, Canaries);
        SecretsApi.Map(_app, _secrets, SecretSync, Supervisor);
        BackupApi.Map(_app, StateDirectory, ProjectName);
        DatabaseApi.Map(_app, Databases);
        TokensApi.Map(_app, Tokens, _audit, () => Supervisor.Project);
        MessagingApi.Map(_app, this);
        AuditApi.Map(_app, _audit, () => Tokens.Now);
        KeysApi.Map(_app, (_traffic = await Autonomy.Server.Gateway.Traffic.TrafficControl.OpenAsync(store, ct: ct)).Keys, () => Supervisor.Project);
        // Each route's limits and key rules are loaded before the gateway serves it, and asked before each request.
        Gateway.RoutesLoading = routes => _traffic.Load(routes.Select(r => (r.Id, r.Admission)));
        Gateway.Admission = _traffic;
        Gateway.Reload();
        await RegistryApi.MapAsync(_app, this, ct);
        _metrics = new Diagnostics.PlaneMetrics(this);
        _metrics.Map(_app);
        await _app.StartAsync(ct);
        // Kestrel writes the port it bound (a free one when asked for 0) back into each listener's endpoint.
        Port = httpListener!.IPEndPoint!.Port;
        AmqpPort = amqpListener!.IPEndPoint!.Port;
        new ServerRecord(Environment.ProcessId, Port, ProcessGroups.ReadStartTime(Environment.ProcessId) ?? 0, AmqpPort).Write(StateDirectory);
    }

    /// <summary>Brings the services up; a failure is kept for <c>/v1/status</c> as well as thrown.</summary>
    public async Task UpAsync(IReadOnlyCollection<string>? services, CancellationToken ct)
    {
        try
        {
            await Supervisor.UpAsync(services, ct);
            await GatewayCaughtUpAsync(ct);
            ConfigSync?.Watch();
            Canaries?.Resume();
            Phase = "running";
        }
        catch (ServiceStartException e)
        {
            (Phase, Failure, FailureLines) = ("failed", e.Message, e.LastLogLines);
            throw;
        }
        catch (ServicePlanException e)
        {
            (Phase, Failure) = ("failed", string.Join("\n", e.Problems));
            throw;
        }
    }

    /// <summary>
    /// Puts the replicas as they are now in the registry and the gateway's routes and destinations, so that when
    /// <c>up</c> or a reconcile answers, traffic already reaches what it started.
    /// </summary>
    internal async Task GatewayCaughtUpAsync(CancellationToken ct)
    {
        _registration?.Sync();
        await Gateway.ReloadAsync(ct);
    }

    // When made tokens were last used is kept in memory and saved now and then: a read never waits for a write.
    private static readonly TimeSpan LastUseSaveInterval = TimeSpan.FromMinutes(1);

    private async Task SaveLastUseAsync()
    {
        try
        {
            await Tokens.SaveLastUseAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Only a time of last use: the next save writes it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Phase = "stopping";
        // First, so that no scrape reads a part on its way down.
        _metrics?.Dispose();
        if (Canaries is not null)
        {
            Stopping = "canary releases";
            await Canaries.DisposeAsync();
        }
        if (ConfigSync is not null)
        {
            Stopping = "config sync";
            await ConfigSync.DisposeAsync();
        }
        Stopping = "supervisor";
        await Supervisor.DisposeAsync();
        if (_registration is not null)
        {
            Stopping = "registration";
            await _registration.DisposeAsync();
        }
        Stopping = "gateway";
        await Gateway.DisposeAsync();
        Stopping = "databases";
        await Databases.DisposeAsync();
        _messaging?.Dispose();
        SecretSync?.Dispose();
        try
        {
            File.Delete(ServerRecord.PathIn(StateDirectory));
        }
        catch (IOException)
        {
        }
        if (_app is not null)
        {
            // AMQP clients are told the server is going (320) rather than left to Kestrel's shutdown timeout.
            Stopping = "amqp listener";
            await Amqp.StopAsync();
            Stopping = "api host";
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        // No request is left to settle them: every message still leased goes back to its queue, then the log closes.
        Stopping = "leases";
        await Leases.DisposeAsync();
        if (_broker is not null)
        {
            Stopping = "broker";
            await _broker.DisposeAsync();
        }
        if (_saveLastUse is not null)
        {
            Stopping = "last-use saver";
            await _saveLastUse.DisposeAsync();
            await SaveLastUseAsync();
        }
        _secrets?.Dispose();
        if (_traffic is not null)
        {
            Stopping = "traffic control";
            await _traffic.DisposeAsync();
        }
        if (_config is not null)
        {
            Stopping = "config store";
            await _config.DisposeAsync();
        }
        Stopping = "stopped";
    }
}
