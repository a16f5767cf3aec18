using System.Globalization;
using Autonomy.Server.Registry;
using Autonomy.Server.Runtime.Planning;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;

namespace Autonomy.Server.Gateway;

/// <summary>
/// YARP's routes and clusters for the project as it runs: a cluster per HTTP service whose destinations are its
/// registry entries that pass their health checks, a route per <c>x-autonomy.routes</c> entry on the gateway's
/// listener, and a catch-all route per service for its own ports.
/// </summary>
internal static class GatewayConfig
{
    /// <summary>Set on requests that arrived on a service's own port (by the gateway, never by the client): its service.</summary>
    public const string FrontendHeader = "X-Autonomy-Frontend";

    /// <summary>The route id suffix of a service's own ports: <c>orders/port</c>.</summary>
    public const string FrontendRouteSuffix = "/port";

    public const string DrainingKey = "autonomy.draining";
    public const string PortKey = "autonomy.port";
    public const string RetriesKey = "autonomy.retries";

    // Replicas see the host the client asked for, as virtual hosts and absolute links need.
    private static readonly Dictionary<string, string> KeepHost = new() { ["RequestHeaderOriginalHost"] = "true" };

    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters, bool AnyDraining) Build(
        IEnumerable<ServicePlan> plans, ServiceRegistry registry)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        var anyDraining = false;
        foreach (var plan in plans.Where(p => p.Traffic.IsHttp))
        {
            var traffic = plan.Traffic;
            var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
            // Draining instances stay known (their requests in flight are counted on them) but get no new request.
            foreach (var entry in registry.Instances(plan.Name, all: true).Where(e => e.Health == RegistryHealth.Passing))
            {
                anyDraining |= entry.Draining;
                destinations[entry.Id] = new DestinationConfig
                {
                    Address = $"http://{entry.Address}:{entry.Port.ToString(CultureInfo.InvariantCulture)}",
                    Metadata = new Dictionary<string, string>
                    {
                        [PortKey] = entry.Port.ToString(CultureInfo.InvariantCulture),
                        [DrainingKey] = entry.Draining ? "true" : "false",
                    },
                };
            }
            clusters.Add(new ClusterConfig
            {
                ClusterId = plan.Name,
                LoadBalancingPolicy = traffic.LoadBalancing switch
                {
                    "least_requests" => LoadBalancingPolicies.LeastRequests,
                    "power_of_two" => LoadBalancingPolicies.PowerOfTwoChoices,
                    _ => LoadBalancingPolicies.RoundRobin,
                },
                HealthCheck = new HealthCheckConfig
                {
                    Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = ConsecutiveFailures.PolicyName, ReactivationPeriod = traffic.EjectionBackoff },
                    // With every replica ejected, a request still goes to one of them rather than failing outright.
                    AvailableDestinationsPolicy = "HealthyOrPanic",
                },
                HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig
                {
                    Version = System.Net.HttpVersion.Version11,
                    VersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionOrLower,
                },
                Metadata = new Dictionary<string, string>
                {
                    [ConsecutiveFailures.FailuresKey] = traffic.EjectionFailures.ToString(CultureInfo.InvariantCulture),
                    [ConsecutiveFailures.BackoffKey] = ((long)traffic.EjectionBackoff.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                    [RetriesKey] = traffic.Retries.ToString(CultureInfo.InvariantCulture),
                },
                Destinations = destinations,
            });
            routes.Add(new RouteConfig
            {
                RouteId = plan.Name + FrontendRouteSuffix,
                ClusterId = plan.Name,
                Order = -1,
                Match = new RouteMatch
                {
                    Path = "/{**rest}",
                    Headers = [new RouteHeader { Name = FrontendHeader, Values = [plan.Name], Mode = HeaderMatchMode.ExactHeader, IsCaseSensitive = true }],
                },
                Transforms = [KeepHost, new Dictionary<string, string> { ["RequestHeaderRemove"] = FrontendHeader }],
            });
            routes.AddRange(traffic.Routes.Select(Route));
        }
        return (routes, clusters, anyDraining);
    }

    private static RouteConfig Route(RoutePlan route)
    {
        var transforms = new List<IReadOnlyDictionary<string, string>> { KeepHost };
        if ((route.StripPrefix || route.Rewrite is not null) && route.Path != "/")
        {
            transforms.Add(new Dictionary<string, string> { ["PathRemovePrefix"] = route.Path });
        }
        if (route.Rewrite is { } rewrite and not "/")
        {
            transforms.Add(new Dictionary<string, string> { ["PathPrefix"] = rewrite });
        }
        return new RouteConfig
        {
            RouteId = route.Id,
            ClusterId = route.Service,
            // A route for a host is tried before one for any host.
            Order = route.Host is null ? 1 : 0,
            Match = new RouteMatch
            {
                Path = route.Path == "/" ? "/{**rest}" : route.Path + "/{**rest}",
                Hosts = route.Host is null ? null : [route.Host],
                Headers = [new RouteHeader { Name = FrontendHeader, Mode = HeaderMatchMode.NotExists }],
            },
            Timeout = route.Timeout,
            Transforms = transforms,
        };
    }
}
