using System.Text.RegularExpressions;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ServiceNormalizer
{
    private static readonly HashSet<string> PortKeys = ["name", "target", "published", "host_ip", "protocol", "app_protocol", "mode"];

    /// <summary>Every form of <c>ports</c> as long entries: {mode, host_ip, target, published, protocol}; ranges expanded.</summary>
    private YamlNode? Ports(YamlNode value, string path)
    {
        if (value is not SequenceNode seq)
        {
            checks.Error(value, path, $"{path} must be a list, not {value.Describe()}", "write each port on its own line: '- \"8080:80\"'");
            return null;
        }
        var result = new SequenceNode(value.Location);
        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            var itemPath = $"{path}.{i}";
            switch (item)
            {
                case ScalarNode { Value: { } text }:
                    result.Items.AddRange(ShortPort(item, text, itemPath));
                    break;
                case MappingNode map:
                    if (LongPort(map, itemPath) is { } port)
                    {
                        result.Items.Add(port);
                    }
                    break;
                default:
                    checks.Error(item, itemPath, $"{itemPath} must be a port such as \"8080:80\" or a mapping with 'target', not {item.Describe()}");
                    break;
            }
        }
        return result;
    }

    /// <summary>
    /// [IP:][HOST:]CONTAINER[/PROTOCOL], split as docker does: the last part is the container port,
    /// the one before the host port (empty means any), and all before that the IP (IPv6 with or
    /// without brackets, empty meaning all addresses).
    /// </summary>
    private IEnumerable<YamlNode> ShortPort(YamlNode node, string text, string path)
    {
        var spec = text.Trim();
        var protocol = "tcp";
        var slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..].ToLowerInvariant();
            spec = spec[..slash];
        }
        var parts = spec.Split(':');
        var container = parts[^1];
        var host = parts.Length >= 2 ? parts[^2] : "";
        var ip = parts.Length >= 3 ? string.Join(':', parts[..^2]).Trim('[', ']') : "";
        var containerValid = TryRange(container, 1, out var targetStart, out var targetEnd);
        var bad = protocol is not ("tcp" or "udp" or "sctp") ? $"the protocol '{protocol}' is not tcp, udp or sctp"
            : !containerValid ? $"the container port '{container}' is not a port from 1 to 65535 (or a rising range of them)"
            : host.Length > 0 && !TryRange(host, 0, out _, out _) ? $"the host port '{host}' is not a port from 0 to 65535 (or a rising range of them)"
            : ip.Length > 0 && !System.Net.IPAddress.TryParse(ip, out _) ? $"'{ip}' is not an IP address"
            : null;
        if (bad is not null)
        {
            checks.Error(node, path, $"{path} is {node.Describe()}, which is not a port mapping: {bad}",
                "write CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, each a port or a range like 8000-8010, with an optional /tcp or /udp; quote it in YAML");
            return [];
        }
        var hostIp = ip.Length > 0 ? ip : null;
        string? published = host.Length > 0 ? host : null;
        var entries = new List<YamlNode>();
        if (published is not null && targetStart != targetEnd)
        {
            // A range on both sides pairs port for port, so both must be as long.
            TryRange(published, 0, out var hostStart, out var hostEnd);
            if (hostEnd - hostStart != targetEnd - targetStart)
            {
                checks.Error(node, path, $"{path} maps the range {published} onto {container}, which has another length", "make both ranges the same length");
                return [];
            }
            for (var p = targetStart; p <= targetEnd; p++)
            {
                entries.Add(Port(node.Location, hostIp, p, (hostStart + p - targetStart).ToString(System.Globalization.CultureInfo.InvariantCulture), protocol));
            }
            return entries;
        }
        for (var p = targetStart; p <= targetEnd; p++)
        {
            entries.Add(Port(node.Location, hostIp, p, published, protocol));
        }
        return entries;
    }

    private static bool TryRange(string text, int min, out int start, out int end)
    {
        var dash = text.IndexOf('-');
        var first = dash < 0 ? text : text[..dash];
        var last = dash < 0 ? text : text[(dash + 1)..];
        end = 0;
        return int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out start)
            && int.TryParse(last, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out end)
            && start >= min && end <= 65535 && start <= end;
    }

    private MappingNode? LongPort(MappingNode map, string path)
    {
        long? target = null;
        string? published = null, hostIp = null, protocol = null, mode = null, name = null, appProtocol = null;
        foreach (var (k, v) in map.Entries)
        {
            var itemPath = $"{path}.{k.Value}";
            switch (k.Value)
            {
                case "target":
                    target = checks.Integer(v, itemPath, min: 1);
                    break;
                case "published":
                    published = checks.Text(v, itemPath);
                    if (published is not null && !TryRange(published, 0, out _, out _))
                    {
                        checks.Error(v, itemPath, $"{itemPath} is '{published}', which is not a port or a range of ports", "write e.g. 8080 or \"8080-8090\"");
                    }
                    break;
                case "host_ip":
                    hostIp = checks.Text(v, itemPath);
                    break;
                case "protocol":
                    protocol = checks.Text(v, itemPath);
                    break;
                case "mode":
                    mode = checks.Text(v, itemPath);
                    break;
                case "name":
                    name = checks.Text(v, itemPath);
                    break;
                case "app_protocol":
                    appProtocol = checks.Text(v, itemPath);
                    break;
                default:
                    if (!k.Value!.StartsWith("x-", StringComparison.Ordinal))
                    {
                        checks.Error(k, itemPath, $"{path} has an unknown key '{k.Value}'",
                            NameSuggestion.Closest(k.Value, PortKeys) is { } c ? $"did you mean '{c}'?" : $"a port takes {string.Join(", ", PortKeys)}");
                    }
                    break;
            }
        }
        if (target is null)
        {
            if (!map.ContainsKey("target"))
            {
                checks.Error(map, path, $"{path} has no 'target' (the port the service listens on)", "add 'target: <port>'");
            }
            return null;
        }
        var port = new MappingNode(map.Location);
        if (name is not null)
        {
            port.Set("name", ScalarNode.Text(name, map.Location));
        }
        var result = Port(map.Location, hostIp, target.Value, published, protocol ?? "tcp", mode ?? "ingress");
        foreach (var (k, v) in result.Entries)
        {
            port.Add(k, v);
        }
        if (appProtocol is not null)
        {
            port.Set("app_protocol", ScalarNode.Text(appProtocol, map.Location));
        }
        return port;
    }

    private static MappingNode Port(SourceLocation at, string? hostIp, long target, string? published, string protocol, string mode = "ingress")
    {
        var port = new MappingNode(at);
        port.Set("mode", ScalarNode.Text(mode, at));
        if (hostIp is not null)
        {
            port.Set("host_ip", ScalarNode.Text(hostIp, at));
        }
        port.Set("target", ScalarNode.Number(target, at));
        if (published is not null)
        {
            port.Set("published", ScalarNode.Text(published, at));
        }
        port.Set("protocol", ScalarNode.Text(protocol, at));
        return port;
    }

    private YamlNode? Expose(YamlNode value, string path)
    {
        if (checks.TextList(value, path) is not { } list)
        {
            return null;
        }
        foreach (var item in list.Where(i => !ExposePattern().IsMatch(i.Value!)))
        {
            checks.Error(item, path, $"{path} has '{item.Value}', which is not a port", "write a port or a range, e.g. 8080 or 8000-8010/udp");
        }
        return new SequenceNode(value.Location, list.Select(i => ScalarNode.Text(i.Value, i.Location)));
    }


    [GeneratedRegex(@"^[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?$")]
    private static partial Regex ExposePattern();
}
