using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Autonomy.Server.Registry;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Transforms;

namespace Autonomy.Server.Gateway;

/// <summary>
/// The project's HTTP gateway, YARP inside the server: its own listener for the routes of <c>x-autonomy.routes</c>,
/// and each HTTP service's own ports. Destinations come from the registry (healthy, not draining), and routes and
/// destinations are reloaded as the registry and the project change, without a restart.
/// </summary>
public sealed partial class HttpGateway : IReplicaTraffic, IHttpFrontends, IAsyncDisposable
{
    private readonly Supervisor _supervisor;
    private readonly ServiceRegistry _registry;
    private readonly AccessLog _accessLog;
    private readonly InMemoryConfigProvider _config = new([], []);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _reloading = new();
    private FrozenDictionary<int, string> _frontendPorts = FrozenDictionary<int, string>.Empty;
    private readonly Dictionary<int, string> _frontends = [];
    private WebApplication? _app;
    private GatewayListeners? _listeners;
    private IProxyStateLookup? _state;
    private Task? _following;
    private volatile bool _anyDraining;
    private GatewayEndpoint? _endpoint;

    public HttpGateway(Supervisor supervisor, ServiceRegistry registry, string logDirectory)
    {
        _supervisor = supervisor;
        _registry = registry;
        _accessLog = new AccessLog(logDirectory);
    }

    /// <summary>Asked before each request on a route is forwarded (traffic control); by default every request is admitted.</summary>
    public IGatewayAdmission Admission { get; set; } = AdmitAll.Instance;

    /// <summary>The port the routes are served on; known once <see cref="StartAsync"/> has run.</summary>
    public int Port { get; private set; }

    /// <summary>The address the routes are served on (<c>x-autonomy.gateway.address</c>).</summary>
    public string Address => (_endpoint ?? GatewayEndpoint.Default).Address.ToString();

    /// <summary>Set when the port asked for by default was taken and another was chosen.</summary>
    public string? Note { get; private set; }

    /// <summary>The file of a route's access log.</summary>
    public string AccessLogOf(string routeId) => _accessLog.PathOf(routeId);

    /// <summary>Starts YARP and the gateway's own listener on <paramref name="endpoint"/>, then follows the registry and the project.</summary>
    public async Task StartAsync(GatewayEndpoint endpoint, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, GatewayLifetime>();
        builder.Services.AddSingleton<GatewayListeners>();
        builder.Services.AddSingleton<IServer>(s => s.GetRequiredService<GatewayListeners>());
        builder.Services.AddSingleton(_config);
        builder.Services.AddSingleton<IProxyConfigProvider>(_config);
        builder.Services.AddSingleton<IPassiveHealthCheckPolicy, ConsecutiveFailures>();
        builder.Services.AddSingleton<IForwarderHttpClientFactory, GatewayHttpClients>();
        builder.Services.AddRequestTimeouts();
        builder.Services.AddReverseProxy().AddTransforms(t => t.AddResponseTransform(static context =>
        {
            // Echoed on the answer; set after the replica's headers were copied, so that it is the gateway's.
            context.HttpContext.Response.Headers[RequestIdentity.RequestIdHeader] = context.HttpContext.Request.Headers[RequestIdentity.RequestIdHeader];
            if (context.ProxyResponse?.Content is { } content && context.HttpContext.Features.Get<IHttpResponseBodyFeature>() is CoalescedResponse body)
            {
                context.ProxyResponse.Content = body.Source(content);
            }
            return ValueTask.CompletedTask;
        }));
        var app = builder.Build();
        app.Use(MarkFrontend);
        app.UseRouting();
        app.UseRequestTimeouts();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ObserveAsync);
            proxy.Use(RetryAsync);
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        _app = app;
        Reload();
        await app.StartAsync(ct);
        _listeners = app.Services.GetRequiredService<GatewayListeners>();
        _state = app.Services.GetRequiredService<IProxyStateLookup>();
        await ListenAsync(endpoint, ct);
        _following = FollowAsync(_stop.Token);
    }

    private async Task ListenAsync(GatewayEndpoint endpoint, CancellationToken ct)
    {
        var at = new IPEndPoint(endpoint.Address, endpoint.Port);
        // A service that publishes the default port keeps it (compose files for Docker often publish 8080): the
        // gateway's own listener gives way, as it does to another program.
        if (endpoint == GatewayEndpoint.Default && PublisherOf(endpoint.Port) is { } publisher)
        {
            Port = await _listeners!.AddAsync(new IPEndPoint(endpoint.Address, 0), ct);
            Note = $"service '{publisher}' publishes the gateway's default port {endpoint.Port}, so the gateway listens on {Port}; choose one with x-autonomy: {{gateway: {{port: N}}}}";
            _endpoint = endpoint;
            return;
        }
        try
        {
            Port = await _listeners!.AddAsync(at, ct);
            Note = null;
        }
        catch (Runtime.Ports.PortInUseException) when (endpoint == GatewayEndpoint.Default)
        {
            // Only the default gives way: a port the file asks for is the user's to free.
            Port = await _listeners!.AddAsync(new IPEndPoint(endpoint.Address, 0), ct);
            Note = $"the gateway's default port {endpoint.Port} is in use, so it listens on {Port}; choose one with x-autonomy: {{gateway: {{port: N}}}}";
        }
        _endpoint = endpoint;
    }

    private string? PublisherOf(int port) =>
        _supervisor.Project.Services.FirstOrDefault(service => service.Ports.Any(p => p.Published is { } published
            && int.TryParse(published.Split('-')[0], System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var first) && first == port))?.Name;

    /// <summary>
    /// Brings routes and destinations in line with the project's plans and the registry now; the gateway does this by
    /// itself on every change, and the control plane calls it once a reconcile is done so routes are live when it answers.
    /// </summary>
    public void Reload()
    {
        lock (_reloading)
        {
            var (routes, clusters, anyDraining) = GatewayConfig.Build(_supervisor.Plans, _registry);
            _anyDraining = anyDraining;
            RoutesLoading?.Invoke([.. _supervisor.Plans.SelectMany(p => p.Traffic.Routes)]);
            _config.Update(routes, clusters);
        }
    }

    /// <summary>Called with every route before the gateway serves a new set, so that their admission rules are in place first.</summary>
    public Action<IReadOnlyList<Runtime.Planning.RoutePlan>>? RoutesLoading { get; set; }

    /// <summary>Moves the gateway's own listener when the project's <c>x-autonomy.gateway</c> changed.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        Reload();
        var endpoint = GatewayEndpoint.Of(_supervisor.Project);
        if (_listeners is not null && endpoint != _endpoint)
        {
            var old = Port;
            await _listeners.RemoveAsync(old);
            await ListenAsync(endpoint, ct);
        }
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        var index = _registry.Index;
        try
        {
            while (true)
            {
                var project = _supervisor.WhenChanged;
                var registry = _registry.WhenChangedAfter(index, ct);
                await Task.WhenAny(project, registry).WaitAsync(ct);
                index = _registry.Index;
                Reload();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async Task<IAsyncDisposable> ServeAsync(string service, IPEndPoint at, CancellationToken ct)
    {
        var listeners = _listeners ?? throw new InvalidOperationException("the gateway has not started");
        var port = await listeners.AddAsync(at, ct);
        lock (_frontends)
        {
            _frontends[port] = service;
            _frontendPorts = _frontends.ToFrozenDictionary();
        }
        return new Frontend(this, port);
    }

    private async Task StopServingAsync(int port)
    {
        lock (_frontends)
        {
            _frontends.Remove(port);
            _frontendPorts = _frontends.ToFrozenDictionary();
        }
        if (_listeners is not null)
        {
            await _listeners.RemoveAsync(port);
        }
    }

    public int InFlight(string service, int port)
    {
        if (_state is null || !_state.TryGetCluster(service, out var cluster))
        {
            return 0;
        }
        var wanted = port.ToString(CultureInfo.InvariantCulture);
        return cluster.Destinations.Values
            .Where(d => d.Model.Config.Metadata?.GetValueOrDefault(GatewayConfig.PortKey) == wanted)
            .Sum(d => d.ConcurrentRequestCount);
    }

    /// <summary>
    /// Completes once the gateway sends no new request to the replica on <paramref name="port"/>: the registry and
    /// this gateway's routes follow the supervisor a moment later, so this waits for both to have caught up.
    /// </summary>
    public async Task WhenRoutedAwayAsync(string service, int port, CancellationToken ct)
    {
        while (Routes(service, port))
        {
            await Task.Delay(RoutedAwayPoll, ct);
        }
        // A request that picked the replica just before the change counts itself in flight right after picking it.
        await Task.Delay(PickedSettle, ct);
    }

    private static readonly TimeSpan RoutedAwayPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan PickedSettle = TimeSpan.FromMilliseconds(50);

    private bool Routes(string service, int port)
    {
        if (_state is null || !_state.TryGetCluster(service, out var cluster))
        {
            return false;
        }
        var wanted = port.ToString(CultureInfo.InvariantCulture);
        return cluster.Destinations.Values.Any(d => d.Model.Config.Metadata?.GetValueOrDefault(GatewayConfig.PortKey) == wanted
            && d.Model.Config.Metadata?.GetValueOrDefault(GatewayConfig.DrainingKey) != "true");
    }

    /// <summary>The ids of the destinations the gateway knows for <paramref name="service"/>, and whether each is in rotation.</summary>
    internal IReadOnlyList<string> Destinations(string service) =>
        _state is not null && _state.TryGetCluster(service, out var cluster)
            ? [.. cluster.DestinationsState.AvailableDestinations.Where(d => d.Model.Config.Metadata?.GetValueOrDefault(GatewayConfig.DrainingKey) != "true").Select(d => d.DestinationId).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>While the gateway stops, the step it is at: a stop that hangs says where.</summary>
    public string? StopStep { get; private set; }

    // Each step of a stop gets this long; one that takes longer is left behind with a line in the server's log, so
    // that stopping the platform always ends.
    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(15);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_following is not null)
        {
            await StepAsync("following the registry", _following);
        }
        if (_app is not null)
        {
            // Requests still running after the listeners' grace are aborted by Kestrel; this bounds the wait for them.
            using var grace = new CancellationTokenSource(StepLimit);
            await StepAsync("stopping the listeners", _app.StopAsync(grace.Token));
            await StepAsync("releasing the host", _app.DisposeAsync().AsTask());
        }
        await StepAsync("closing the access logs", _accessLog.DisposeAsync().AsTask());
        StopStep = "stopped";
        _stop.Dispose();
    }

    private async Task StepAsync(string step, Task task)
    {
        StopStep = step;
        try
        {
            await task.WaitAsync(StepLimit);
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"gateway: {step} took more than {StepLimit.TotalSeconds:0} s; stopping without waiting for it");
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Frontend(HttpGateway gateway, int port) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await gateway.StopServingAsync(port);
            }
        }
    }
}
