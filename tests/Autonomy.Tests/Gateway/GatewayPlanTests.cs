using Autonomy.Server.Runtime;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Gateway;

/// <summary>What x-autonomy's traffic keys plan to, and the errors a wrong one gets before anything starts.</summary>
public sealed class GatewayPlanTests
{
    [Fact]
    public void Traffic_settings_are_planned_with_their_defaults_and_traffic_control_keys_pass_through()
    {
        var plans = Plan("""
            services:
              web:
                command: ["python3", "-c", "pass"]
                healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8000/health"]}
              api:
                command: ["python3", "-c", "pass"]
                x-autonomy:
                  load_balancing: least_requests
                  retries: 3
                  ejection: {failures: 2, backoff: 30s}
                  drain_grace: 20s
                  routes:
                    - {path: /api/, host: "*.example.test", rewrite: /v2, timeout: 5s, rate_limit: {limit: 10, window: 1s}, api_key: required}
                    - {}
              worker:
                command: ["python3", "-c", "pass"]
            """);
        var web = plans["web"].Traffic;
        Assert.True(web.IsHttp);
        Assert.Equal(("round_robin", 1, 5, TimeSpan.FromSeconds(10)), (web.LoadBalancing, web.Retries, web.EjectionFailures, web.EjectionBackoff));
        var api = plans["api"].Traffic;
        Assert.True(api.IsHttp);
        Assert.Equal(("least_requests", 3, 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20)),
            (api.LoadBalancing, api.Retries, api.EjectionFailures, api.EjectionBackoff, plans["api"].DrainGrace));
        var route = api.Routes[0];
        Assert.Equal(("api/0", "/api", "*.example.test", "/v2", TimeSpan.FromSeconds(5)), (route.Id, route.Path, route.Host, route.Rewrite, route.Timeout));
        Assert.Equal("required", route.Settings["api_key"]!.GetValue<string>());
        Assert.Equal("10", route.Settings["rate_limit"]!["limit"]!.ToJsonString());
        Assert.Equal(("api/1", "/", null, false), (api.Routes[1].Id, api.Routes[1].Path, api.Routes[1].Host, api.Routes[1].StripPrefix));
        Assert.False(plans["worker"].Traffic.IsHttp);
    }

    [Fact]
    public void Wrong_traffic_settings_are_named_with_the_service_and_key_and_how_to_fix_them()
    {
        var problems = Problems("""
            x-autonomy:
              gateway: {port: 99999, address: nowhere, tls: true}
            services:
              orders:
                command: ["python3", "-c", "pass"]
                x-autonomy:
                  protocol: grpc
                  load_balancing: random
                  retries: 9
                  ejection: {failures: 0, backoff: soon}
                  routes:
                    - {path: /orders, strip_prefix: true, rewrite: /v2}
                    - {path: orders, timeout: fast, hots: a.test}
                    - {path: /orders}
              raw:
                command: ["python3", "-c", "pass"]
                x-autonomy:
                  protocol: tcp
                  routes: [{path: /raw}]
            """);
        Assert.Contains(problems, p => p.StartsWith("service 'orders': x-autonomy.protocol is 'grpc'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("service 'orders': x-autonomy.load_balancing is 'random'", StringComparison.Ordinal) && p.Contains("least_requests"));
        Assert.Contains(problems, p => p.StartsWith("service 'orders': x-autonomy.retries is '9'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("service 'orders': x-autonomy.ejection.failures is '0'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("service 'orders': x-autonomy.ejection.backoff is 'soon', which is not a duration", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("service 'orders': x-autonomy.routes[0] has both strip_prefix and rewrite", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("service 'orders': x-autonomy.routes[1].path is 'orders', which is not a path prefix", StringComparison.Ordinal));
        Assert.Contains(problems, p => p == "service 'orders': x-autonomy.routes[1].timeout is 'fast', which is not a duration\n  hint: write e.g. '5s' or '500ms'");
        Assert.Contains(problems, p => p.StartsWith("service 'orders': x-autonomy.routes[1].hots is not a setting of a route", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("service 'orders': route orders/2 matches the same host and path as orders/0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("service 'raw': it has x-autonomy.routes and x-autonomy.protocol: tcp", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("x-autonomy.gateway.port is '99999', which is not a port", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("x-autonomy.gateway.address is 'nowhere', which is not an IP address", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("x-autonomy.gateway.tls is not a setting of the gateway", StringComparison.Ordinal));
    }

    private static Dictionary<string, ServicePlan> Plan(string compose)
    {
        using var files = new TempProject();
        return Planner(files, compose).PlanAll().ToDictionary(p => p.Name);
    }

    private static IReadOnlyList<string> Problems(string compose)
    {
        using var files = new TempProject();
        return Assert.Throws<ServicePlanException>(() => Planner(files, compose).PlanAll()).Problems;
    }

    private static ServicePlanner Planner(TempProject files, string compose)
    {
        files.Write("compose.yaml", compose);
        return new ServicePlanner(files.Load(), new SupervisorOptions { StateDirectory = Path.Combine(files.Directory, ".autonomy") }, new PortAllocator());
    }
}
