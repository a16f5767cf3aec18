using System.Globalization;
using System.Text.Json;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// The registry under <c>/v1/registry</c>: every service's instances (the replicas Autonomy runs and external ones that
/// registered themselves), as blocking reads (<c>?index=&amp;wait=</c>) and as Server-Sent Events; and the calls with
/// which an external instance registers, keeps its TTL alive and leaves. Any service's token may read it: discovery is
/// how services find each other.
/// </summary>
internal static partial class RegistryApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The longest a blocking read may wait, as the config API's.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    public static async Task MapAsync(WebApplication app, Hosting.ControlPlane plane, CancellationToken ct)
    {
        var registry = plane.Registry;
        var external = await ExternalInstances.OpenAsync(registry, (Store.SqliteConfigStore)plane.Config.Store, ct);
        // Stops checking TTLs before the store it writes to is closed.
        app.Lifetime.ApplicationStopping.Register(() => external.DisposeAsync().AsTask().GetAwaiter().GetResult());
        var group = app.MapGroup("/v1/registry");

        group.MapGet("", () =>
        {
            var names = plane.Supervisor.Project.Services.Select(s => s.Name).Union(registry.Services()).Order(StringComparer.Ordinal);
            return Results.Json(names.Select(name =>
            {
                var instances = registry.Instances(name, all: true);
                return new ServiceCounts(name, instances.Count, instances.Count(i => i.Health == RegistryHealth.Passing));
            }), Json);
        }).Requires("registry:read");

        group.MapGet("/{service}", async (string service, bool? all, long? index, string? wait, HttpContext context, CancellationToken ct) =>
        {
            if (CheckName("service", service) is { } bad)
            {
                return bad;
            }
            if (index is { } after)
            {
                if (ParseWait(wait) is not { } timeout)
                {
                    return Problems.Of(400, "invalid-wait", "Invalid wait", $"wait is '{wait}'; give a duration such as 30s or 5m, at most 10m");
                }
                await WaitForChangeAsync(registry, service, all ?? false, after, timeout, ct);
            }
            // The index first: a change made while the list is read is then seen again by the next blocking read, never missed.
            var current = registry.Index;
            context.Response.Headers["X-Autonomy-Index"] = current.ToString(CultureInfo.InvariantCulture);
            return Results.Json(new ServiceInstances(service, current, registry.Instances(service, all ?? false).Select(InstanceView.From).ToList()), Json);
        }).Requires("registry:read:{service}");

        group.MapGet("/{service}/events", (string service, long? after, HttpContext context) => CheckName("service", service) is { } bad
            ? bad.ExecuteAsync(context)
            : StreamAsync(registry, service, after, context)).Requires("registry:read:{service}");

        MapInstances(group, plane, external);
    }

    /// <summary>
    /// Returns once what a read of <paramref name="service"/> answers differs from now, or when the wait ends. A caller
    /// behind by a change to this service returns at once; otherwise changes elsewhere, or to instances this view leaves
    /// out, do not wake it.
    /// </summary>
    private static async Task WaitForChangeAsync(ServiceRegistry registry, string service, bool all, long after, TimeSpan timeout, CancellationToken ct)
    {
        // In this order: a change to the service made before the list is read is among those missed, and one made after
        // it differs from the list, so none falls between the two.
        var seen = registry.Index;
        var before = registry.Instances(service, all);
        // An index from before a server restart is above today's: the caller's list may be anything, so it gets today's.
        var missed = registry.ChangesAfter(after);
        if (missed is null || after > seen || missed.Any(c => c.Service == service))
        {
            return;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                await registry.WhenChangedAfter(seen, deadline.Token);
                seen = registry.Index;
                if (!before.SequenceEqual(registry.Instances(service, all)))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // The wait ended with nothing new: the same list, as a blocking read answers then.
        }
    }

    private static TimeSpan? ParseWait(string? wait)
    {
        if (wait is null)
        {
            return TimeSpan.FromMinutes(5);
        }
        return GoDuration.TryParse(wait, out var value) && value >= TimeSpan.Zero && value <= MaxWait ? value : null;
    }

    /// <summary>A service's or an instance's name: the rules of a compose service name.</summary>
    private static IResult? CheckName(string what, string name) => IsName(name)
        ? null
        : Problems.Of(400, $"invalid-{what}-name", $"Invalid {what} name",
            $"'{name}' is not a {what} name: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 253 characters");

    internal static bool IsName(string name) =>
        name.Length is > 0 and <= 253 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    internal sealed record ServiceCounts(string Service, int Instances, int Passing);

    internal sealed record ServiceInstances(string Service, long Index, IReadOnlyList<InstanceView> Instances);

    /// <summary>An instance as the API, the CLI and the discovery client see it.</summary>
    internal sealed record InstanceView(string Service, string Id, string Address, int Port, string Health, string Version,
        IReadOnlyDictionary<string, string> Metadata, string Source, bool Draining, string? Output, long ModifyIndex)
    {
        public static InstanceView From(RegistryEntry e) => new(e.Service, e.Id, e.Address, e.Port, HealthName(e.Health), e.Version,
            e.Metadata, e.Source, e.Draining, e.Output, e.ModifyIndex);

        public static string HealthName(RegistryHealth health) => health switch
        {
            RegistryHealth.Passing => "passing",
            RegistryHealth.Starting => "starting",
            _ => "critical",
        };
    }
}
