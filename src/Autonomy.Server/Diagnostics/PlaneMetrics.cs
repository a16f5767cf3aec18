using System.Diagnostics.Metrics;
using Autonomy.Server.Api;
using Autonomy.Server.Hosting;
using Autonomy.Server.Runtime.Health;
using Autonomy.Server.Runtime.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Autonomy.Server.Diagnostics;

/// <summary>
/// One server's metrics in Prometheus' text format at <c>GET /metrics</c>: what <see cref="AutonomyMetrics"/> records, and
/// what is read from the server's parts when scraped (replicas, config revisions, queues and broker totals), observed on a
/// meter of this server's own so that two servers in one process (as in the tests) never report each other's.
/// </summary>
internal sealed class PlaneMetrics : IDisposable
{
    private static readonly string[] HealthStates = ["healthy", "unhealthy", "starting", "none"];

    private readonly ControlPlane _plane;
    private readonly Meter _observed = new(AutonomyMetrics.MeterName);
    private readonly MeterProvider _provider;

    public PlaneMetrics(ControlPlane plane)
    {
        _plane = plane;
        ObserveReplicas();
        ObserveConfig();
        ObserveBroker();
        _provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("autonomy").AddAttributes([new("autonomy.project", plane.ProjectName)]))
            .AddMeter(AutonomyMetrics.MeterName)
            .AddView(instrument => instrument.Meter == AutonomyMetrics.Meter || instrument.Meter == _observed ? null : MetricStreamConfiguration.Drop)
            // Every scrape reads the server as it is now; Prometheus scrapes seconds apart, so a cached answer saves nothing.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0)
            .Build();
    }

    /// <summary>Serves <c>/metrics</c>, to tokens that may see every service (admin, read-only).</summary>
    public void Map(IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics", _provider, null, null).Requires("services:read");

    private void ObserveReplicas()
    {
        _observed.CreateObservableGauge("autonomy.replica.health", () => Replicas().SelectMany(r => HealthStates.Select(state =>
            new Measurement<int>(r.Replica.Health.ToString().Equals(state, StringComparison.OrdinalIgnoreCase) ? 1 : 0,
                new("service", r.Service), new("replica", r.Replica.Id), new("health", state)))),
            description: "1 for the replica's health now (healthy, unhealthy, starting, or none without a check), 0 for the others");
        _observed.CreateObservableGauge("autonomy.replica.up", () => Replicas().Select(r =>
            new Measurement<int>(r.Replica.State == ReplicaState.Running && r.Replica.Health is HealthStatus.Healthy or HealthStatus.None ? 1 : 0, Tags(r))),
            description: "1 while the replica runs and is healthy (or has no check)");
        _observed.CreateObservableCounter("autonomy.replica.restarts", () => Replicas().Select(r => new Measurement<long>(r.Replica.Restarts, Tags(r))),
            description: "Restarts of the replica since it was made");
        _observed.CreateObservableGauge("autonomy.replica.cpu", () => Replicas().Where(r => r.Replica.CpuPercent is not null)
            .Select(r => new Measurement<double>(r.Replica.CpuPercent!.Value, Tags(r))), unit: "%",
            description: "CPU of the replica's process group, in percent of one core over the last few seconds");
        _observed.CreateObservableGauge("autonomy.replica.memory", () => Replicas().Where(r => r.Replica.MemoryBytes is not null)
            .Select(r => new Measurement<long>(r.Replica.MemoryBytes!.Value, Tags(r))), unit: "By",
            description: "Resident memory of the replica's process group");

        static KeyValuePair<string, object?>[] Tags((string Service, ReplicaStatus Replica) r) => [new("service", r.Service), new("replica", r.Replica.Id)];
    }

    private IEnumerable<(string Service, ReplicaStatus Replica)> Replicas() =>
        _plane.Supervisor.Status().SelectMany(s => s.Replicas.Select(r => (s.Name, r)));

    private void ObserveConfig() =>
        _observed.CreateObservableGauge("autonomy.config.revision", () => _plane.Config.Store.Namespaces()
            .Select(n => new Measurement<long>(n.Revision, new KeyValuePair<string, object?>("namespace", n.Name))),
            description: "The current revision of each config namespace");

    private void ObserveBroker()
    {
        _observed.CreateObservableCounter("autonomy.broker.messages.published", () => new Measurement<long>(_plane.Broker.Stats.Published),
            description: "Messages published to the embedded broker since it started");
        _observed.CreateObservableCounter("autonomy.broker.messages.delivered", () => new Measurement<long>(_plane.Broker.Stats.Delivered),
            description: "Deliveries by the embedded broker (to consumers and gets) since it started");
        _observed.CreateObservableCounter("autonomy.broker.messages.acked", () => new Measurement<long>(_plane.Broker.Stats.Acknowledged),
            description: "Deliveries acknowledged since the broker started");
        _observed.CreateObservableCounter("autonomy.broker.queue.published", () => Queues().Select(q => new Measurement<long>(q.Published, Tags(q))),
            description: "Messages published into each queue since the broker started");
        _observed.CreateObservableCounter("autonomy.broker.queue.delivered", () => Queues().Select(q => new Measurement<long>(q.Delivered, Tags(q))),
            description: "Deliveries from each queue since the broker started");
        _observed.CreateObservableGauge("autonomy.broker.queue.ready", () => Queues().Select(q => new Measurement<long>(q.Ready, Tags(q))),
            description: "Messages each queue can deliver now (its depth)");
        _observed.CreateObservableGauge("autonomy.broker.queue.unacked", () => Queues().Select(q => new Measurement<long>(q.Unacked, Tags(q))),
            description: "Messages out with a consumer and not yet acknowledged");
        _observed.CreateObservableGauge("autonomy.broker.queue.consumers", () => Queues().Select(q => new Measurement<int>(q.Consumers, Tags(q))),
            description: "Consumers of each queue");

        static KeyValuePair<string, object?>[] Tags(Messaging.Model.QueueInfo q) => [new("vhost", q.Vhost), new("queue", q.Name)];
    }

    private IEnumerable<Messaging.Model.QueueInfo> Queues() => _plane.Broker.AllVirtualHosts.ToList().SelectMany(v => v.Queues);

    public void Dispose()
    {
        _provider.Dispose();
        _observed.Dispose();
    }
}
