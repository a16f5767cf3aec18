using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Runtime.Planning;

internal sealed partial class ServicePlanner
{
    private static readonly string[] LoadBalancingPolicies = ["round_robin", "least_requests", "power_of_two"];

    // Keys of a route that traffic control reads; the gateway only passes them on.
    private static readonly string[] RouteKeys = ["path", "host", "strip_prefix", "rewrite", "timeout", "rate_limit", "api_key"];

    private const int MaxRetries = 5;

    /// <summary>
    /// The service's HTTP traffic settings: http by default when it has an HTTP health check (or routes), else tcp.
    /// </summary>
    private HttpTrafficPlan Traffic(ServiceDefinition service)
    {
        var protocol = Text(service, "protocol");
        if (protocol is not null and not "http" and not "tcp")
        {
            Problem(service, $"x-autonomy.protocol is '{protocol}'", "write 'http' (the gateway serves its ports) or 'tcp' (plain TCP forwarding)");
        }
        var routes = Routes(service);
        if (protocol == "tcp" && routes.Count > 0)
        {
            Problem(service, "it has x-autonomy.routes and x-autonomy.protocol: tcp; routes are HTTP", "remove protocol: tcp, or the routes");
        }
        // A protocol that is neither is reported above; the other keys are still checked, so that every problem shows at once.
        var isHttp = protocol is not null ? protocol != "tcp" : HasHttpHealthCheck(service) || routes.Count > 0;
        if (!isHttp)
        {
            return HttpTrafficPlan.Tcp;
        }
        var plan = new HttpTrafficPlan { IsHttp = true, Routes = routes };
        if (Text(service, "load_balancing") is { } policy)
        {
            if (LoadBalancingPolicies.Contains(policy))
            {
                plan = plan with { LoadBalancing = policy };
            }
            else
            {
                Problem(service, $"x-autonomy.load_balancing is '{policy}'", $"use one of {string.Join(", ", LoadBalancingPolicies)}");
            }
        }
        if (Extension(service, "retries") is { } retriesNode)
        {
            if (WholeNumber(retriesNode) is { } retries and >= 0 and <= MaxRetries)
            {
                plan = plan with { Retries = retries };
            }
            else
            {
                Problem(service, $"x-autonomy.retries is '{Shown(retriesNode)}'", $"write a whole number from 0 to {MaxRetries}");
            }
        }
        if (Extension(service, "ejection") is { } ejectionNode)
        {
            if (ejectionNode is not JsonObject ejection)
            {
                Problem(service, "x-autonomy.ejection is not a mapping", "write e.g. 'ejection: {failures: 5, backoff: 30s}'");
            }
            else
            {
                foreach (var key in ejection.Select(p => p.Key).Where(k => k is not "failures" and not "backoff"))
                {
                    Problem(service, $"x-autonomy.ejection.{key} is not a setting of ejection", "it takes 'failures' and 'backoff'");
                }
                if (ejection["failures"] is { } failuresNode)
                {
                    if (WholeNumber(failuresNode) is { } failures and >= 1)
                    {
                        plan = plan with { EjectionFailures = failures };
                    }
                    else
                    {
                        Problem(service, $"x-autonomy.ejection.failures is '{Shown(failuresNode)}'", "write a whole number of 1 or more");
                    }
                }
                if (ejection["backoff"] is { } backoffNode && Duration(service, "x-autonomy.ejection.backoff", backoffNode) is { } backoff)
                {
                    plan = plan with { EjectionBackoff = backoff };
                }
            }
        }
        return plan;
    }

    private List<RoutePlan> Routes(ServiceDefinition service)
    {
        var routes = new List<RoutePlan>();
        switch (Extension(service, "routes"))
        {
            case null:
                return routes;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (Route(service, i, list[i]) is { } route)
                    {
                        routes.Add(route);
                    }
                }
                return routes;
            default:
                Problem(service, "x-autonomy.routes is not a list", "write e.g. 'routes: [{path: /orders, strip_prefix: true}]'");
                return routes;
        }
    }

    private RoutePlan? Route(ServiceDefinition service, int index, JsonNode? node)
    {
        var at = $"x-autonomy.routes[{index}]";
        if (node is not JsonObject settings)
        {
            Problem(service, $"{at} is not a mapping", "write e.g. '{path: /orders, host: api.example.test}'");
            return null;
        }
        foreach (var key in settings.Select(p => p.Key).Where(k => !RouteKeys.Contains(k)))
        {
            Problem(service, $"{at}.{key} is not a setting of a route", $"a route takes {string.Join(", ", RouteKeys)}");
        }
        var route = new RoutePlan { Id = $"{service.Name}/{index.ToString(CultureInfo.InvariantCulture)}", Service = service.Name, Settings = settings };
        if (settings["path"] is { } pathNode)
        {
            var path = pathNode is JsonValue p && p.TryGetValue<string>(out var text) ? text : null;
            if (path is null || !RoutePath().IsMatch(path))
            {
                Problem(service, $"{at}.path is '{Shown(pathNode)}', which is not a path prefix", "write a path that starts with '/' and holds letters, digits and - . _ ~ / only, e.g. /orders");
            }
            else
            {
                route = route with { Path = path.Length > 1 ? path.TrimEnd('/') : path };
            }
        }
        if (settings["host"] is { } hostNode)
        {
            var host = hostNode is JsonValue h && h.TryGetValue<string>(out var text) ? text : null;
            if (host is null || !RouteHost().IsMatch(host))
            {
                Problem(service, $"{at}.host is '{Shown(hostNode)}', which is not a host name", "write e.g. api.example.test or *.example.test");
            }
            else
            {
                route = route with { Host = host.ToLowerInvariant() };
            }
        }
        if (settings["strip_prefix"] is { } stripNode)
        {
            if (stripNode is JsonValue s && s.TryGetValue<bool>(out var strip))
            {
                route = route with { StripPrefix = strip };
            }
            else
            {
                Problem(service, $"{at}.strip_prefix is '{Shown(stripNode)}'", "write true or false");
            }
        }
        if (settings["rewrite"] is { } rewriteNode)
        {
            var rewrite = rewriteNode is JsonValue r && r.TryGetValue<string>(out var text) ? text : null;
            if (rewrite is null || !RoutePath().IsMatch(rewrite))
            {
                Problem(service, $"{at}.rewrite is '{Shown(rewriteNode)}', which is not a path", "write the prefix that replaces the matched one, e.g. /v2");
            }
            else if (route.StripPrefix)
            {
                Problem(service, $"{at} has both strip_prefix and rewrite", "keep one: strip_prefix: true removes the prefix, rewrite: /v2 replaces it");
            }
            else
            {
                route = route with { Rewrite = rewrite.Length > 1 ? rewrite.TrimEnd('/') : rewrite };
            }
        }
        if (settings["timeout"] is { } timeoutNode && Duration(service, $"{at}.timeout", timeoutNode) is { } timeout)
        {
            route = route with { Timeout = timeout };
        }
        var admissionProblems = new List<string>();
        route = route with { Admission = Gateway.Traffic.RouteTraffic.Parse(settings, at, admissionProblems) };
        foreach (var problem in admissionProblems)
        {
            Problem(service, problem, null);
        }
        return route;
    }

    /// <summary>Two routes that match the same requests (same host, same path) cannot be told apart.</summary>
    private void CheckRoutes(List<ServicePlan> plans)
    {
        var seen = new Dictionary<(string?, string), RoutePlan>();
        foreach (var plan in plans)
        {
            foreach (var route in plan.Traffic.Routes)
            {
                if (seen.TryGetValue((route.Host, route.Path), out var first))
                {
                    Problem(plan.Service, $"route {route.Id} matches the same host and path as {first.Id} ({route.Host ?? "any host"}, {route.Path})",
                        "give one of them another path or host");
                    continue;
                }
                seen[(route.Host, route.Path)] = route;
            }
        }
        var gatewayProblems = new List<string>();
        GatewayEndpoint.Of(project, gatewayProblems);
        _problems.AddRange(gatewayProblems);
    }

    private bool HasHttpHealthCheck(ServiceDefinition service)
    {
        if (Extension(service, "healthcheck") is JsonObject native)
        {
            return native["http"] is JsonValue;
        }
        return service.HealthCheck is { Disabled: false, Test.Count: > 0 } check && LocalHttpProbe(check.Test) is not null;
    }

    private TimeSpan? Duration(ServiceDefinition service, string at, JsonNode node)
    {
        if (node is JsonValue v && v.TryGetValue<string>(out var text) && GoDuration.TryParse(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }
        Problem(service, $"{at} is '{Shown(node)}', which is not a duration", "write e.g. '5s' or '500ms'");
        return null;
    }

    private static string? Text(ServiceDefinition service, string key) =>
        Extension(service, key) is JsonValue v && v.TryGetValue<string>(out var text) ? text : Extension(service, key)?.ToJsonString();

    private static int? WholeNumber(JsonNode node) =>
        node is JsonValue && int.TryParse(node.ToJsonString().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static string Shown(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : node.ToJsonString();

    [GeneratedRegex(@"^/[A-Za-z0-9\-._~/]*$")]
    private static partial Regex RoutePath();

    [GeneratedRegex(@"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?$")]
    private static partial Regex RouteHost();
}
