using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Runtime.Planning;

internal sealed partial class ServicePlanner
{
    // Native probes need no curl in the service; a first check every 500 ms during start-up keeps `up` fast.
    private static readonly HealthSpec NativeDefaults = new(HealthProbeKind.Http, [], "/", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), 3, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500));

    /// <summary>
    /// The replica's health probe: <c>x-autonomy.healthcheck</c> (http or tcp, probed natively) or the
    /// compose health check. A compose check that only curls or wgets localhost is probed natively
    /// too, on the replica's own port, so that it works without curl and without the container port.
    /// </summary>
    private HealthSpec? Health(ServiceDefinition service)
    {
        var check = service.HealthCheck;
        if (Extension(service, "healthcheck") is JsonObject native)
        {
            var timing = check is { Disabled: false } ? FromCompose(check) : NativeDefaults;
            timing = WithOverrides(service, timing, native);
            if (native["http"] is JsonValue http && http.TryGetValue<string>(out var path))
            {
                return timing with { Kind = HealthProbeKind.Http, HttpPath = path.StartsWith('/') ? path : "/" + path, Command = [] };
            }
            if (native["tcp"] is JsonValue tcp && tcp.TryGetValue<bool>(out var useTcp) && useTcp)
            {
                return timing with { Kind = HealthProbeKind.Tcp, HttpPath = null, Command = [] };
            }
            Problem(service, "x-autonomy.healthcheck says neither 'http: /path' nor 'tcp: true'", "write e.g. 'x-autonomy: {healthcheck: {http: /health}}'");
            return null;
        }
        if (check is null || check.Disabled || check.Test.Count == 0)
        {
            return null;
        }
        var spec = FromCompose(check);
        var words = check.Test[0] == "CMD-SHELL" ? ["/bin/sh", "-c", check.Test[1]] : check.Test.Skip(1).ToList();
        if (LocalHttpProbe(check.Test) is { } probePath)
        {
            return spec with { Kind = HealthProbeKind.Http, HttpPath = probePath, Command = [] };
        }
        return spec with { Kind = HealthProbeKind.Command, Command = words };
    }

    private static HealthSpec FromCompose(HealthCheckDefinition c) =>
        new(HealthProbeKind.Command, [], null, c.Interval, c.Timeout, c.Retries, c.StartPeriod, c.StartInterval);

    private HealthSpec WithOverrides(ServiceDefinition service, HealthSpec spec, JsonObject native)
    {
        TimeSpan? Duration(string key)
        {
            if (native[key] is not JsonValue v || !v.TryGetValue<string>(out var text))
            {
                return null;
            }
            if (GoDuration.TryParse(text, out var d))
            {
                return d;
            }
            Problem(service, $"x-autonomy.healthcheck.{key} is '{text}', which is not a duration", "write e.g. '5s' or '500ms'");
            return null;
        }
        // Whole numbers read from YAML are longs.
        var retries = native["retries"] is JsonValue r && r.TryGetValue<long>(out var n) && n is >= 0 and <= int.MaxValue ? (int)n : spec.Retries;
        return spec with
        {
            Interval = Duration("interval") ?? spec.Interval,
            Timeout = Duration("timeout") ?? spec.Timeout,
            StartPeriod = Duration("start_period") ?? spec.StartPeriod,
            StartInterval = Duration("start_interval") ?? spec.StartInterval,
            Retries = retries,
        };
    }

    /// <summary>The path of a check that is only "curl/wget a URL on localhost", else null.</summary>
    private static string? LocalHttpProbe(IReadOnlyList<string> test)
    {
        var text = test[0] == "CMD-SHELL" ? test[1] : string.Join(' ', test.Skip(1));
        var match = LocalHttpCheck().Match(text.Trim());
        return match.Success ? (match.Groups["path"].Value is { Length: > 0 } p ? p : "/") : null;
    }

    private static IReadOnlyList<string>? Setup(ServiceDefinition service) => Extension(service, "setup") switch
    {
        JsonValue v when v.TryGetValue<string>(out var shell) => ["/bin/sh", "-c", shell],
        JsonArray a => [.. a.Select(i => i?.ToString() ?? "")],
        _ => null,
    };

    /// <summary>Named volumes become folders under the state folder; a target inside the working directory becomes a symlink there.</summary>
    private List<VolumeLink> Volumes(ServiceDefinition service, string workingDirectory, string baseDirectory, string? imageWorkDir)
    {
        var links = new List<VolumeLink>();
        foreach (var mount in service.Volumes)
        {
            string hostPath;
            string name;
            switch (mount.Type)
            {
                case "volume":
                    var volumeName = mount.Source ?? $"{service.Name}-{Math.Abs(StringComparer.Ordinal.GetHashCode(mount.Target)).ToString(CultureInfo.InvariantCulture)}";
                    hostPath = Path.Combine(options.StateDirectory, "volumes", volumeName);
                    name = mount.Source ?? Path.GetFileName(mount.Target.TrimEnd('/'));
                    break;
                case "bind":
                    hostPath = mount.Source!;
                    name = Path.GetFileName(mount.Target.TrimEnd('/'));
                    break;
                default:
                    Problem(service, $"its {mount.Type} mount at '{mount.Target}' needs a container engine", "use a named volume or a bind mount (a host folder)");
                    continue;
            }
            var target = mount.Target;
            var inside = !Path.IsPathRooted(target) ? Path.GetFullPath(target, workingDirectory) : MapImagePath(target, baseDirectory, imageWorkDir)
                ?? (target.StartsWith(workingDirectory + "/", StringComparison.Ordinal) ? target : null);
            links.Add(new VolumeLink("AUTONOMY_VOLUME_" + VariableName(name), hostPath, target, inside, mount.Type == "volume"));
        }
        return links;
    }

    internal static string VariableName(string name) => NonIdentifier().Replace(name.ToUpperInvariant(), "_");

    [GeneratedRegex("[^A-Z0-9]")]
    private static partial Regex NonIdentifier();

    [GeneratedRegex(@"^(?:curl(?:\s+-[a-zA-Z]+)*|wget(?:\s+-[a-zA-Z]+|\s+--spider|\s+-O\s*-|\s+-O\s*/dev/null)*)\s+['""]?https?://(?:localhost|127\.0\.0\.1)(?::\d+)?(?<path>/[^\s'""]*)?['""]?(?:\s*\|\|\s*exit\s+1)?$")]
    private static partial Regex LocalHttpCheck();
}
